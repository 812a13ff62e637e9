package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.Masking;
import dev.instanode.core.Plans;
import dev.instanode.core.Tier;
import dev.instanode.core.names.StackId;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code expire_stacks}: stacks past their {@code expires_at} (anonymous ones, and those claimed
 * into a free team, which keep their expiry) are torn down, teardown before bookkeeping. Per stack:
 * under its row lock the expiry is decided again and the row becomes {@code deleting} ({@link
 * StackRepository#markExpiredDeleting}); the namespace is deleted through the audited chokepoint;
 * only then is the row deleted ({@link StackTeardown#finish}).
 *
 * <ul>
 *   <li>The guard refuses the namespace: nothing is deleted and the row is kept, counted in {@value
 *       WorkerMetrics#STACK_EXPIRY_REFUSED} with a WARN. (The original deleted the row anyway and
 *       orphaned the namespace.)
 *   <li>The cluster cannot delete it now: the row stays {@code deleting}, counted, and {@code
 *       stack_reconciler} finishes it.
 *   <li>A claimed stack (a team, no expiry) is never listed, and one claimed after it was listed is
 *       left alone: the lock's re-decision sees the team.
 * </ul>
 *
 * With no cluster ({@code KUBERNETES_MODE=off}) the job skips with a WARN: a row is never deleted
 * without its namespace.
 */
public final class ExpireStacks implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireStacks.class);
  static final int PAGE = 100;
  static final String REASON = "expired";

  enum Outcome {
    EXPIRED,
    RACE_SKIPPED,
    TEARDOWN_RETRY,
    REFUSED,
    ERROR
  }

  private final StackRepository stacks;
  private final Optional<StackTeardown> teardown;
  private final MeterRegistry meters;
  private final Clock clock;
  private final int pageSize;
  private final Set<Tier> expiring;

  public ExpireStacks(
      Jdbi platform,
      Optional<StackTeardown> teardown,
      Plans plans,
      MeterRegistry meters,
      Clock clock) {
    this(platform, teardown, plans, meters, clock, PAGE);
  }

  ExpireStacks(
      Jdbi platform,
      Optional<StackTeardown> teardown,
      Plans plans,
      MeterRegistry meters,
      Clock clock,
      int pageSize) {
    // Only the tiers plans.yaml says expire: a paid stack never goes, whatever its row says.
    this.expiring =
        Arrays.stream(Tier.values())
            .filter(t -> plans.of(t).expires())
            .collect(Collectors.toUnmodifiableSet());
    this.stacks = new StackRepository(requireNonNull(platform, "platform is null"));
    this.teardown = requireNonNull(teardown, "teardown is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.pageSize = pageSize;
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (teardown.isEmpty()) {
      LOG.warn(
          "expire_stacks.skipped reason=no_cluster run_id={}: Kubernetes is off, expired stacks"
              + " are kept until it is on",
          run.runId());
      count(meters, WorkerMetrics.STACK_JOB_SKIPPED, "job", run.job(), "reason", "no_cluster");
      return tally.add("skipped_no_cluster").report();
    }
    Instant now = clock.instant();
    Optional<StackId> after = Optional.empty();
    while (true) {
      List<StackRecord> page = stacks.expired(now, expiring, after, pageSize);
      for (StackRecord candidate : page) {
        tally.add(expireOne(candidate, now, run).name().toLowerCase(Locale.ROOT));
      }
      if (page.size() < pageSize) {
        return tally.report();
      }
      after = Optional.of(page.getLast().id());
    }
  }

  /** One stack: mark it deleting under its lock if it is still expired, then tear it down. */
  Outcome expireOne(StackRecord candidate, Instant now, JobRun run) {
    Optional<StackRecord> deleting;
    try {
      deleting = stacks.markExpiredDeleting(candidate.id(), now, expiring);
    } catch (RuntimeException e) {
      if (LockTimeouts.isTimeout(e)) {
        LOG.info(
            "expire_stacks.race_skipped slug={} reason=lock_timeout run_id={}",
            candidate.slug(),
            run.runId());
        count(meters, WorkerMetrics.STACK_EXPIRY_RACE_SKIPPED);
        return Outcome.RACE_SKIPPED;
      }
      return error(candidate, e, run);
    }
    if (deleting.isEmpty()) {
      // Claimed, deleted or being deleted since it was listed.
      LOG.info(
          "expire_stacks.race_skipped slug={} reason=no_longer_expired run_id={}",
          candidate.slug(),
          run.runId());
      count(meters, WorkerMetrics.STACK_EXPIRY_RACE_SKIPPED);
      return Outcome.RACE_SKIPPED;
    }
    StackRecord row = deleting.get();
    StackTeardown.Outcome outcome;
    try {
      outcome = teardown.orElseThrow().finish(row, REASON, run.requestId());
    } catch (RuntimeException e) {
      // The row stays deleting; stack_reconciler finishes it.
      return error(row, e, run);
    }
    return switch (outcome) {
      case StackTeardown.Outcome.Deleted d -> {
        count(meters, WorkerMetrics.STACKS_EXPIRED);
        LOG.info(
            "expire_stacks.expired slug={} namespace={} run_id={}",
            row.slug(),
            row.namespace(),
            run.runId());
        yield Outcome.EXPIRED;
      }
      case StackTeardown.Outcome.Retry r -> {
        count(meters, WorkerMetrics.STACK_EXPIRY_FAILED, "reason", "teardown_retry");
        LOG.warn(
            "expire_stacks.teardown_retry slug={} run_id={} why={}: the namespace could not be"
                + " deleted now; the row stays deleting and stack_reconciler finishes it",
            row.slug(),
            run.runId(),
            Masking.scrubUrls(String.valueOf(r.why())));
        yield Outcome.TEARDOWN_RETRY;
      }
      case StackTeardown.Outcome.Refused r -> {
        count(meters, WorkerMetrics.STACK_EXPIRY_REFUSED);
        LOG.warn(
            "expire_stacks.refused slug={} namespace={} why={} run_id={}: the guard refused the"
                + " namespace; nothing was deleted and the row is kept",
            row.slug(),
            row.namespace(),
            r.why(),
            run.runId());
        yield Outcome.REFUSED;
      }
      case StackTeardown.Outcome.NotFound n -> {
        count(meters, WorkerMetrics.STACK_EXPIRY_RACE_SKIPPED);
        yield Outcome.RACE_SKIPPED;
      }
    };
  }

  private Outcome error(StackRecord row, RuntimeException e, JobRun run) {
    LOG.warn(
        "expire_stacks.row_failed slug={} run_id={} error={}",
        row.slug(),
        run.runId(),
        Masking.scrubUrls(e.toString()));
    count(meters, WorkerMetrics.STACK_EXPIRY_FAILED, "reason", "error");
    return Outcome.ERROR;
  }
}
