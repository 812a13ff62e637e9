package dev.instanode.core;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every kind of {@code pending_propagations} row. The platform schema's CHECK constraint lists the
 * same wire strings; a worker test walks both so neither can gain a kind the other lacks.
 */
public enum PropagationKind {
  /** A team's plan went up: regrade every active resource of the team to its tier. */
  TIER_ELEVATION("tier_elevation");

  private final String wire;

  PropagationKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Empty for a kind this build does not know (a newer api may enqueue one). */
  public static Optional<PropagationKind> parse(String raw) {
    return Arrays.stream(values()).filter(k -> k.wire.equals(raw)).findFirst();
  }
}
