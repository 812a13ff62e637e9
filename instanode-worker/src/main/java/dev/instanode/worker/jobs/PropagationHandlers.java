package dev.instanode.worker.jobs;

import dev.instanode.core.PropagationKind;
import dev.instanode.provisioner.Provisioner;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The handler registry. The switch is exhaustive over {@link PropagationKind}, so a kind without a
 * handler does not compile; a test walks the kinds against the database's CHECK constraint.
 */
public final class PropagationHandlers {
  private PropagationHandlers() {}

  public static Map<PropagationKind, PropagationHandler> standard(
      Jdbi platform, Provisioner provisioner, MeterRegistry meters, Clock clock) {
    Map<PropagationKind, PropagationHandler> handlers = new EnumMap<>(PropagationKind.class);
    for (PropagationKind kind : PropagationKind.values()) {
      handlers.put(
          kind,
          switch (kind) {
            case TIER_ELEVATION -> new TierElevationHandler(platform, provisioner, meters, clock);
          });
    }
    return Collections.unmodifiableMap(handlers);
  }
}
