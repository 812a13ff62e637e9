package dev.instanode.worker;

import java.time.Duration;
import java.util.Locale;

/**
 * The job registry: every periodic job, its name (the db-scheduler task name), default interval and
 * whether its first execution on a fresh schedule is immediate. {@link JobRegistry#standard} maps
 * each entry to its implementation with an exhaustive switch, so adding a kind without a job does
 * not compile.
 */
public enum JobKind {
  EXPIRE_ANONYMOUS("expire_anonymous", Duration.ofHours(1), true),
  PROVISIONER_RECONCILER("provisioner_reconciler", Duration.ofMinutes(2), true),
  PROPAGATION_RUNNER("propagation_runner", Duration.ofSeconds(30), true),
  ENTITLEMENT_RECONCILER("entitlement_reconciler", Duration.ofMinutes(5), true),
  ENFORCE_LIMITS("enforce_limits", Duration.ofSeconds(15), true),
  // Not on start: a fresh replica should not open with a destructive sweep.
  POOL_ORPHAN_REAPER("pool_orphan_reaper", Duration.ofMinutes(10), false),
  EXPIRE_STACKS("expire_stacks", Duration.ofMinutes(5), true),
  // On start: a deletion an owner asked for, interrupted by a restart, resumes at once.
  TEAM_DELETION("team_deletion", Duration.ofMinutes(1), true),
  STACK_RECONCILER("stack_reconciler", Duration.ofMinutes(1), true),
  // Not on start: a fresh replica should not open with a destructive sweep.
  ORPHAN_SWEEP("orphan_sweep", Duration.ofMinutes(15), false),
  // Not on start, for the same reason: it can drop.
  INVENTORY_SWEEP("inventory_sweep", Duration.ofMinutes(15), false),
  // Not on start either: once armed it reaps (seed 001).
  ORPHAN_DB_SWEEP("orphan_db_sweep", Duration.ofHours(1), false);

  private final String jobName;
  private final Duration defaultInterval;
  private final boolean runOnStart;

  JobKind(String jobName, Duration defaultInterval, boolean runOnStart) {
    this.jobName = jobName;
    this.defaultInterval = defaultInterval;
    this.runOnStart = runOnStart;
  }

  public String jobName() {
    return jobName;
  }

  public Duration defaultInterval() {
    return defaultInterval;
  }

  public boolean runOnStart() {
    return runOnStart;
  }

  /**
   * {@code INSTANODE_JOB_<NAME>_INTERVAL}, e.g. {@code INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL}.
   */
  public String intervalEnvVar() {
    return "INSTANODE_JOB_" + jobName.toUpperCase(Locale.ROOT) + "_INTERVAL";
  }
}
