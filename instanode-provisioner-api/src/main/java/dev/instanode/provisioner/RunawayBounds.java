package dev.instanode.provisioner;

import java.time.Duration;

/**
 * How long a tenant's work may run, from its plan: a statement, and a transaction sitting idle.
 * Zero means no bound. They come from the plan the platform holds, never from the tenant's own role
 * settings, which the tenant may change ({@code ALTER ROLE CURRENT_USER SET …}).
 */
public record RunawayBounds(Duration statement, Duration idleInTransaction) {
  public static final RunawayBounds NONE = new RunawayBounds(Duration.ZERO, Duration.ZERO);

  public RunawayBounds {
    if (statement.isNegative() || idleInTransaction.isNegative()) {
      throw new IllegalArgumentException("a bound is negative");
    }
  }
}
