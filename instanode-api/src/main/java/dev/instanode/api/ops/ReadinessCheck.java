package dev.instanode.api.ops;

import static java.util.Objects.requireNonNull;

/**
 * One dependency {@code /readyz} probes. A failing critical check makes the instance unready (503);
 * a failing non-critical one only marks it degraded.
 *
 * @param probe throws when the dependency does not answer
 */
public record ReadinessCheck(String name, boolean critical, Probe probe) {
  public ReadinessCheck {
    requireNonNull(name, "name is null");
    requireNonNull(probe, "probe is null");
  }

  @FunctionalInterface
  public interface Probe {
    void run() throws Exception;
  }
}
