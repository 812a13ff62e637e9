package dev.instanode.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every metric name the worker emits, defined once. Label values are always drawn from a fixed set
 * (job names, resource types, enum buckets), never from free text or row data.
 */
public final class WorkerMetrics {
  // Scheduler
  public static final String JOB_RUNS = "instant_job_runs_total";
  public static final String JOB_DURATION = "instant_job_duration_seconds";

  // expire_anonymous
  public static final String EXPIRED = "instant_expired_resources_total";
  public static final String TEAM_TEARDOWNS = "instant_team_deletion_teardowns_total";
  public static final String TEAMS_TOMBSTONED = "instant_teams_tombstoned_total";
  public static final String EXPIRE_DEPROVISION_FAILED = "instant_expire_deprovision_failed_total";
  public static final String EXPIRE_RACE_SKIPPED = "instant_expire_race_skipped_total";
  public static final String EXPIRE_SKIPPED = "instant_expire_skipped_total";

  // provisioner_reconciler
  public static final String RECONCILE_RECOVERED = "instant_reconcile_recovered_total";
  public static final String RECONCILE_ABANDONED = "instant_reconcile_abandoned_total";
  public static final String RECONCILE_FAILED = "instant_reconcile_failed_total";
  public static final String RECONCILE_WAITING = "instant_reconcile_waiting_total";
  public static final String RECONCILE_DELETE_FINISHED = "instant_reconcile_delete_finished_total";

  // propagation_runner
  public static final String PROPAGATION_APPLIED = "instant_propagation_applied_total";
  public static final String PROPAGATION_RETRIED = "instant_propagation_retried_total";
  public static final String PROPAGATION_UNEXPECTED_SKIP =
      "instant_propagation_unexpected_skip_total";
  public static final String PROPAGATION_DEAD_LETTERED = "instant_propagation_dead_lettered_total";
  public static final String PROPAGATION_UNKNOWN_KIND = "instant_propagation_unknown_kind_total";
  public static final String PROPAGATION_SKIPPED = "instant_propagation_skipped_total";

  // entitlement_reconciler
  public static final String ENTITLEMENT_DRIFT_DETECTED =
      "instant_entitlement_drift_detected_total";
  public static final String ENTITLEMENT_REGRADED = "instant_entitlement_regraded_total";
  public static final String ENTITLEMENT_REGRADE_FAILED =
      "instant_entitlement_regrade_failed_total";
  public static final String ENTITLEMENT_DRIFT_CORRECTED =
      "instant_entitlement_drift_corrected_total";

  // pool_orphan_reaper
  public static final String POOL_ORPHAN_CANDIDATES = "instant_pool_orphan_candidates_total";
  public static final String POOL_ORPHAN_CANDIDATES_CURRENT =
      "instant_pool_orphan_candidates_current";
  public static final String POOL_ORPHAN_REAPED = "instant_pool_orphan_reaped_total";
  public static final String POOL_RELEASED = "instant_pool_released_total";
  public static final String POOL_KEPT = "instant_pool_orphan_kept_total";
  public static final String POOL_ORPHAN_SKIPPED = "instant_pool_orphan_reaper_skipped_total";

  // enforce_limits
  public static final String LIMIT_TRANSITIONS = "instant_limit_transitions_total";
  public static final String LIMIT_CONNECTIONS_CLOSED = "instant_limit_connections_closed_total";
  public static final String LIMIT_BYTES_SHED = "instant_limit_bytes_shed_total";
  public static final String LIMIT_RUNAWAY_STOPPED = "instant_limit_runaway_stopped_total";
  public static final String LIMIT_PASS_SKIPPED = "instant_limit_pass_skipped_total";
  public static final String LIMIT_MISSING_INFRA = "instant_limit_missing_infrastructure_total";
  public static final String RESOURCES_OVER_LIMIT = "instant_resources_over_limit";

  // expire_stacks
  public static final String STACKS_EXPIRED = "instant_stacks_expired_total";
  public static final String STACK_EXPIRY_REFUSED = "instant_stack_expiry_refused_total";
  public static final String STACK_EXPIRY_FAILED = "instant_stack_expiry_failed_total";
  public static final String STACK_EXPIRY_RACE_SKIPPED = "instant_stack_expiry_race_skipped_total";

  // stack_reconciler
  public static final String STACKS = "instant_stacks";
  public static final String STACK_RECONCILE_DELETE_FINISHED =
      "instant_stack_reconcile_delete_finished_total";
  public static final String STACK_RECONCILE_FAILED = "instant_stack_reconcile_failed_total";
  public static final String STACK_DEPLOY_TIMED_OUT = "instant_stack_deploy_timed_out_total";
  public static final String STACK_TIER_REAPPLIED = "instant_stack_tier_reapplied_total";

  // orphan_sweep
  /** Gauge: the orphans the latest pass of each kind found, by reason. */
  public static final String ORPHAN_SWEEP_CANDIDATES = "instant_orphan_sweep_candidates";

  public static final String ORPHAN_SWEEP_REAPED = "instant_orphan_sweep_reaped_total";
  public static final String ORPHAN_SWEEP_REAP_FAILED = "instant_orphan_sweep_reap_failed_total";

  /** A pass that decided nothing because its evidence could not be read, by pass and reason. */
  public static final String ORPHAN_SWEEP_SKIPPED = "instant_orphan_sweep_skipped_total";

  /** The chokepoint's counter for the namespaces the sweep deletes. */
  public static final String ORPHAN_SWEEP_TEARDOWN = "instant_orphan_sweep_teardown_total";

  // orphan_db_sweep (seed 001's names)
  /** Counter: every candidate each run finds, by kind ({@code customer_namespace}, ...). */
  public static final String ORPHAN_DB_SWEEP_CANDIDATES =
      "instant_orphan_db_sweep_candidates_total";

  /** Gauge: the candidates the latest run that could read its evidence found, by kind. */
  public static final String ORPHAN_DB_SWEEP_CANDIDATES_CURRENT =
      "instant_orphan_db_sweep_candidates_current";

  public static final String ORPHAN_DB_SWEEP_REAPED = "instant_orphan_db_sweep_reaped_total";
  public static final String ORPHAN_DB_SWEEP_REAP_FAILED =
      "instant_orphan_db_sweep_reap_failed_total";

  /** A run that decided nothing because its evidence could not be read, by pass and reason. */
  public static final String ORPHAN_DB_SWEEP_SKIPPED = "instant_orphan_db_sweep_skipped_total";

  /** The chokepoint's counter for the namespaces {@code orphan_db_sweep} deletes. */
  public static final String ORPHAN_DB_SWEEP_TEARDOWN = "instant_orphan_db_sweep_teardown_total";

  // both stack jobs
  public static final String STACK_JOB_SKIPPED = "instant_stack_job_skipped_total";

  /** The value every unknown propagation kind is counted under; the raw kind never is. */
  public static final String UNKNOWN_KIND = "unknown_kind";

  private WorkerMetrics() {}

  /** Increments {@code name} with alternating label keys and values. */
  public static void count(MeterRegistry meters, String name, String... tags) {
    Counter.builder(name).tags(tags).register(meters).increment();
  }
}
