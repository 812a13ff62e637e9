package dev.instanode.provisioner.engine;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.provisioner.breaker.Breakers;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/** A local provisioner around one backend, its drops through the guard and the shared audit. */
public final class TestProvisioners {
  private TestProvisioners() {}

  /** {@code protectedNames}: names the guard refuses besides those without our prefixes. */
  public static LocalProvisioner around(
      ResourceBackend backend, Set<String> protectedNames, MeterRegistry meters) {
    Breakers breakers = new Breakers(meters, Clock.systemUTC());
    return new LocalProvisioner(
        List.of(backend),
        new DeprovisionChokepoint(
            new DropGuard(protectedNames), TestDropAudit.shared(), breakers, meters),
        breakers);
  }
}
