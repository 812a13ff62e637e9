package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The verdict on one tenant's objects a shared backend holds (its databases and roles, its Redis
 * user), for {@code inventory_sweep}: an orphan only when no platform row names its key, no pool
 * item tracks it, and it is older than the grace by the creation time written on it.
 */
public final class InventorySweepDecision {
  /** The bounded metric label of this sweep's orphans. */
  public static final String REASON = "backend_no_row";

  public enum Verdict {
    ORPHAN,
    /** A resources row names its key (in any status: the row's own lifecycle owns it). */
    NAMED,
    /** A hot-pool item tracks it. */
    POOLED,
    /** Younger than the grace: a provision may still be recording its row. */
    TOO_YOUNG,
    /** No creation time is written on it: never taken for an old one. */
    AGE_UNKNOWN
  }

  /**
   * One item as the inventory and the live set show it.
   *
   * @param named a resources row names its key
   * @param pooled a pool item tracks it
   * @param createdAt the creation time written on it; empty when none is
   */
  public record Seen(boolean named, boolean pooled, Optional<Instant> createdAt) {
    public Seen {
      requireNonNull(createdAt, "createdAt is null");
    }
  }

  private InventorySweepDecision() {}

  public static Verdict classify(Seen item, Instant now, Duration grace) {
    if (item.named()) {
      return Verdict.NAMED;
    }
    if (item.pooled()) {
      return Verdict.POOLED;
    }
    if (item.createdAt().isEmpty()) {
      return Verdict.AGE_UNKNOWN;
    }
    if (Duration.between(item.createdAt().get(), now).compareTo(grace) < 0) {
      return Verdict.TOO_YOUNG;
    }
    return Verdict.ORPHAN;
  }
}
