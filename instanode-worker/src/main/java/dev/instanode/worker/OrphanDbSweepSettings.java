package dev.instanode.worker;

/**
 * How {@code orphan_db_sweep} may act (seed 001). Both flags default off: the job ships audit-only
 * and switched off, and its age grace is {@code orphan_sweep}'s ({@value
 * WorkerSettings#ENV_ORPHAN_SWEEP_GRACE}).
 *
 * @param enabled {@value WorkerSettings#ENV_ORPHAN_DB_SWEEP_ENABLED}: off, a run is a DEBUG no-op
 *     (no namespace list, no database read, no metric, no audit row)
 * @param destructive {@value WorkerSettings#ENV_ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED}: with {@code
 *     enabled}, each candidate is reaped through the audited chokepoint after its token is read
 *     again under lock; meaningless on its own
 */
public record OrphanDbSweepSettings(boolean enabled, boolean destructive) {
  /** Off, and audit-only once switched on. */
  public static OrphanDbSweepSettings defaults() {
    return new OrphanDbSweepSettings(false, false);
  }

  /** Both flags: the destructive arm can be reached. */
  public boolean armed() {
    return enabled && destructive;
  }
}
