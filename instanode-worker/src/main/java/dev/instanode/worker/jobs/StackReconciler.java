package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.StackHealth;
import dev.instanode.core.DurationText;
import dev.instanode.core.Masking;
import dev.instanode.core.names.StackId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.WorkerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stack_reconciler}: keeps every stack row in agreement with the cluster.
 *
 * <ul>
 *   <li>{@code deleting} rows older than {@link #DELETING_GRACE} (a delete whose process died, or
 *       whose cluster was down): the namespace is deleted through the audited chokepoint, then the
 *       row ({@link StackTeardown#finish}). A refused namespace keeps its row.
 *   <li>{@code deploying}, {@code healthy}, {@code failed} and {@code lost} rows: the status is
 *       read from the live cluster and recorded when it differs ({@code StackObserver}).
 *   <li>A stack {@code deploying} for over {@link #DEPLOY_DEADLINE} since it was created or last
 *       applied (pods pending, pulling or not ready) becomes {@code failed}, with the reason per
 *       service. A simulated cluster, where no container ever runs, is exempt.
 *   <li>A stack whose namespace was applied at another tier than its row's (a plan upgrade, a
 *       claim) is applied again, so its quota follows its plan.
 *   <li>The gauge {@value WorkerMetrics#STACKS}{@code {status}} is set from the table's counts.
 * </ul>
 *
 * A cluster that cannot be read changes no row: it is counted and logged per stack, and after
 * {@link #CLUSTER_STRIKES} stacks in a row that the cluster failed the rest of the pass is skipped
 * (the cluster is down, not the stacks). Any other failure is that stack's alone: the pass goes on.
 */
public final class StackReconciler implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(StackReconciler.class);
  static final int PAGE = 100;

  /** Far longer than a delete takes, so an api delete in flight is never raced. */
  public static final Duration DELETING_GRACE = Duration.ofMinutes(2);

  /** How long a stack may stay {@code deploying} before it is {@code failed}. */
  public static final Duration DEPLOY_DEADLINE = Duration.ofMinutes(30);

  /** Consecutive stacks the cluster failed before the rest of the pass is skipped. */
  static final int CLUSTER_STRIKES = 3;

  static final Set<StackStatus> OBSERVED =
      EnumSet.of(StackStatus.DEPLOYING, StackStatus.HEALTHY, StackStatus.FAILED, StackStatus.LOST);

  private final StackRepository stacks;
  private final Optional<StackParts> parts;
  private final MeterRegistry meters;
  private final Clock clock;
  private final int pageSize;
  private final Map<StackStatus, AtomicLong> byStatus = new EnumMap<>(StackStatus.class);

  public StackReconciler(
      Jdbi platform, Optional<StackParts> parts, MeterRegistry meters, Clock clock) {
    this(platform, parts, meters, clock, PAGE);
  }

  StackReconciler(
      Jdbi platform, Optional<StackParts> parts, MeterRegistry meters, Clock clock, int pageSize) {
    this.stacks = new StackRepository(requireNonNull(platform, "platform is null"));
    this.parts = requireNonNull(parts, "parts is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.pageSize = pageSize;
    for (StackStatus status : StackStatus.values()) {
      AtomicLong gauge = new AtomicLong();
      byStatus.put(status, gauge);
      Gauge.builder(WorkerMetrics.STACKS, gauge, AtomicLong::get)
          .description("Stacks in each status, as of the last stack_reconciler pass")
          .tag("status", status.wireName())
          // The registry keeps the count alive: a collected job instance must not read as NaN.
          .strongReference(true)
          .register(meters);
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (parts.isEmpty()) {
      LOG.warn(
          "stack_reconciler.skipped reason=no_cluster run_id={}: Kubernetes is off, stack rows"
              + " are left as they are",
          run.runId());
      count(meters, WorkerMetrics.STACK_JOB_SKIPPED, "job", run.job(), "reason", "no_cluster");
      return tally.add("skipped_no_cluster").report();
    }
    Instant now = clock.instant();
    Strikes strikes = new Strikes();
    walk(Set.of(StackStatus.DELETING), strikes, row -> finishDelete(row, now, run, tally, strikes));
    walk(OBSERVED, strikes, row -> observe(row, now, run, tally, strikes));
    if (strikes.out()) {
      LOG.warn(
          "stack_reconciler.cut_short run_id={}: the cluster failed {} stacks in a row; the rest"
              + " of the pass is skipped and no row was changed from an unread cluster",
          run.runId(),
          CLUSTER_STRIKES);
      tally.add("pass_cut_short");
    }
    Map<StackStatus, Long> counts = stacks.countByStatus();
    byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
    return tally.report();
  }

  /** Every row in {@code statuses}, page by page, until the pass is cut short. */
  private void walk(Set<StackStatus> statuses, Strikes strikes, Consumer<StackRecord> settle) {
    Optional<StackId> after = Optional.empty();
    while (!strikes.out()) {
      List<StackRecord> page = stacks.inStatuses(statuses, after, pageSize);
      for (StackRecord row : page) {
        if (strikes.out()) {
          return;
        }
        settle.accept(row);
      }
      if (page.size() < pageSize) {
        return;
      }
      after = Optional.of(page.getLast().id());
    }
  }

  /** A delete that did not finish: namespace first (idempotent), then the row. */
  private void finishDelete(
      StackRecord row, Instant now, JobRun run, JobReport.Tally tally, Strikes strikes) {
    if (row.updatedAt().isAfter(now.minus(DELETING_GRACE))) {
      tally.add("delete_in_flight");
      return;
    }
    StackTeardown.Outcome outcome;
    try {
      outcome = parts.orElseThrow().teardown().finish(row, "reconcile", run.requestId());
    } catch (RuntimeException e) {
      failed(row, "error", e.toString(), run, tally);
      return;
    }
    switch (outcome) {
      case StackTeardown.Outcome.Deleted d -> {
        strikes.clear();
        count(meters, WorkerMetrics.STACK_RECONCILE_DELETE_FINISHED);
        LOG.info(
            "stack_reconciler.delete_finished slug={} namespace={} run_id={}",
            row.slug(),
            row.namespace(),
            run.runId());
        tally.add("delete_finished");
      }
      case StackTeardown.Outcome.Retry r -> {
        strikes.hit();
        failed(row, "teardown_retry", String.valueOf(r.why()), run, tally);
      }
      case StackTeardown.Outcome.Refused r -> {
        // The guard's verdict on a name, not the cluster's state: the row is kept for a person.
        failed(row, "refused", r.why(), run, tally);
      }
      case StackTeardown.Outcome.NotFound n -> tally.add("not_stuck");
    }
  }

  /** The live status recorded on the row; a deploy past its deadline becomes failed. */
  private void observe(
      StackRecord row, Instant now, JobRun run, JobReport.Tally tally, Strikes strikes) {
    StackParts p = parts.orElseThrow();
    StackHealth.Verdict verdict;
    try {
      verdict = p.observer().observe(row);
    } catch (ClusterUnavailableException e) {
      strikes.hit();
      failed(row, "cluster_unavailable", e.getMessage(), run, tally);
      return;
    } catch (RuntimeException e) {
      failed(row, "error", e.toString(), run, tally);
      return;
    }
    strikes.clear();
    reapplyIfThePlanChanged(row, verdict, run, tally);
    StackStatus live = StackStatus.valueOf(verdict.state().name());
    Instant deadline = now.minus(DEPLOY_DEADLINE);
    if (row.status() == StackStatus.DEPLOYING
        && live == StackStatus.DEPLOYING
        && !p.observer().simulated()
        && row.updatedAt().isBefore(deadline)) {
      failDeploy(row, verdict, deadline, run, tally);
      return;
    }
    tally.add(live == row.status() ? "unchanged" : "marked_" + live.wireName());
  }

  /**
   * A plan change (an upgrade, a claim) gives the row a new tier; its namespace's quota and limits
   * follow here, by applying the stack again. Pods whose env did not change keep running.
   */
  private void reapplyIfThePlanChanged(
      StackRecord row, StackHealth.Verdict verdict, JobRun run, JobReport.Tally tally) {
    Optional<String> applied = verdict.appliedTier();
    if (applied.isEmpty() || applied.get().equals(row.tier().wireName())) {
      return;
    }
    try {
      parts.orElseThrow().applier().applyNow(row);
    } catch (RuntimeException e) {
      failed(row, "reapply", e.toString(), run, tally);
      return;
    }
    count(meters, WorkerMetrics.STACK_TIER_REAPPLIED);
    LOG.info(
        "stack_reconciler.tier_reapplied slug={} from={} to={} run_id={}",
        row.slug(),
        applied.get(),
        row.tier().wireName(),
        run.runId());
    tally.add("tier_reapplied");
  }

  private void failDeploy(
      StackRecord row,
      StackHealth.Verdict verdict,
      Instant deadline,
      JobRun run,
      JobReport.Tally tally) {
    String why = "not available after " + DurationText.format(DEPLOY_DEADLINE);
    List<StackRepository.ObservedService> services =
        verdict.services().stream()
            .map(s ->
                s.state() == StackHealth.State.HEALTHY
                    ? new StackRepository.ObservedService(
                        s.name(), s.state().wireName(), Optional.empty())
                    : new StackRepository.ObservedService(
                        s.name(),
                        StackHealth.State.FAILED.wireName(),
                        Optional.of(why + s.reason().map(r -> " (" + r + ")").orElse(""))))
            .toList();
    boolean failed;
    try {
      failed = stacks.failStillDeploying(row.id(), deadline, services);
    } catch (RuntimeException e) {
      failed(row, "error", e.toString(), run, tally);
      return;
    }
    if (!failed) {
      // Redeployed, deleted or observed otherwise meanwhile.
      tally.add("unchanged");
      return;
    }
    count(meters, WorkerMetrics.STACK_DEPLOY_TIMED_OUT);
    LOG.warn(
        "stack_reconciler.deploy_timed_out slug={} deploying_since={} run_id={}: {}, marked"
            + " failed",
        row.slug(),
        row.updatedAt(),
        run.runId(),
        why);
    tally.add("marked_failed_deploy_timeout");
  }

  private void failed(StackRecord row, String step, String why, JobRun run, JobReport.Tally tally) {
    count(meters, WorkerMetrics.STACK_RECONCILE_FAILED, "step", step);
    LOG.warn(
        "stack_reconciler.{} slug={} status={} run_id={} why={}: row unchanged",
        step,
        row.slug(),
        row.status().wireName(),
        run.runId(),
        Masking.scrubUrls(String.valueOf(why)));
    tally.add(step);
  }

  /** Stacks in a row whose cluster call failed; one that worked starts the count again. */
  private static final class Strikes {
    private int inARow;

    void hit() {
      inARow++;
    }

    void clear() {
      inARow = 0;
    }

    boolean out() {
      return inARow >= CLUSTER_STRIKES;
    }
  }
}
