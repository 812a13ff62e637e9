package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.DurationText;
import java.time.Duration;

/**
 * How {@code orphan_sweep} may act.
 *
 * @param destructive arms the reaping of orphaned namespaces ({@value
 *     WorkerSettings#ENV_ORPHAN_SWEEP_DESTRUCTIVE}); off, candidates are only counted, logged and
 *     audited
 * @param grace nothing younger than this, by its {@code creationTimestamp}, is an orphan ({@value
 *     WorkerSettings#ENV_ORPHAN_SWEEP_GRACE}); at least {@link #MIN_GRACE}, so no setting can let
 *     the sweep race a provision or a deploy in flight
 */
public record OrphanSweepSettings(boolean destructive, Duration grace) {
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
  public static final Duration MIN_GRACE = Duration.ofMinutes(10);

  public OrphanSweepSettings {
    requireNonNull(grace, "grace is null");
    if (grace.compareTo(MIN_GRACE) < 0) {
      throw new IllegalArgumentException(
          WorkerSettings.ENV_ORPHAN_SWEEP_GRACE
              + " must be at least "
              + DurationText.format(MIN_GRACE)
              + " (a provision or deploy in flight must never look orphaned)");
    }
  }

  /** Audit-only, one hour of grace. */
  public static OrphanSweepSettings defaults() {
    return new OrphanSweepSettings(false, DEFAULT_GRACE);
  }
}
