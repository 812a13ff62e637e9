package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.PropagationKind;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PendingPropagation;
import dev.instanode.store.PendingPropagationRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.ErrorText;
import dev.instanode.worker.decision.HandlerOutcome;
import dev.instanode.worker.decision.PropagationPolicy;
import dev.instanode.worker.decision.PropagationVerdict;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code propagation_runner}, as seed 004 specifies it.
 *
 * <ol>
 *   <li><b>Pick</b>: due rows {@code FOR UPDATE SKIP LOCKED LIMIT 50}, and in the same transaction
 *       a lease ({@code next_attempt_at = now + 5m}), so a replica that dies mid-run costs the row
 *       no attempt and no other replica takes it meanwhile.
 *   <li><b>Handle</b>: the registered handler for the kind; an unknown kind is a failure.
 *   <li><b>Record</b>: {@link PropagationPolicy} decides applied / retry / dead letter; every
 *       update is guarded by {@code applied_at IS NULL AND failed_at IS NULL}.
 * </ol>
 */
public final class PropagationRunner implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PropagationRunner.class);
  public static final int BATCH = 50;
  public static final Duration LEASE = Duration.ofMinutes(5);
  private static final int MAX_KIND_IN_TEXT = 64;

  private final Jdbi platform;
  private final PendingPropagationRepository propagations;
  private final Optional<Map<PropagationKind, PropagationHandler>> handlers;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;

  public PropagationRunner(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.platform = requireNonNull(platform, "platform is null");
    this.propagations = new PendingPropagationRepository(platform);
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.handlers =
        requireNonNull(provisioner, "provisioner is null")
            .map(p -> PropagationHandlers.standard(platform, p, meters, clock));
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (handlers.isEmpty()) {
      // Picking without a provisioner would burn attempts on rows that cannot succeed.
      LOG.warn("propagation_runner.skipped reason=no_provisioner run_id={}", run.runId());
      count(meters, WorkerMetrics.PROPAGATION_SKIPPED, "reason", "no_provisioner");
      return tally.add("skipped_no_provisioner").report();
    }
    Instant now = clock.instant();
    List<PendingPropagation> picked = platform.inTransaction(h -> pick(h, now));
    for (PendingPropagation row : picked) {
      tally.add(process(row, run));
    }
    return tally.report();
  }

  /**
   * Takes up to {@link #BATCH} due rows and leases them, in the caller's transaction. Rows another
   * transaction holds are skipped, not waited for; leased rows are not due again for {@link
   * #LEASE}.
   */
  List<PendingPropagation> pick(Handle h, Instant now) {
    return propagations.pickDue(h, now, BATCH, LEASE);
  }

  private String process(PendingPropagation row, JobRun run) {
    Optional<PropagationKind> kind = PropagationKind.parse(row.kind());
    HandlerOutcome outcome;
    if (kind.isEmpty()) {
      // Label is the bucket, never the raw kind: an enqueued string must not mint metric series.
      count(meters, WorkerMetrics.PROPAGATION_UNKNOWN_KIND, "kind", WorkerMetrics.UNKNOWN_KIND);
      String shown = shorten(row.kind());
      LOG.warn(
          "propagation_runner.unknown_kind propagation_id={} kind={} attempts={} run_id={}:"
              + " this worker has no handler (older than the api?)",
          row.id(),
          shown,
          row.attempts(),
          run.runId());
      outcome = new HandlerOutcome.Failed("no handler for propagation kind '" + shown + "'", false);
    } else {
      try {
        outcome = handlers.orElseThrow().get(kind.get()).handle(row, run);
      } catch (RuntimeException e) {
        outcome = new HandlerOutcome.Failed(e.toString(), false);
      }
    }
    Instant now = clock.instant();
    PropagationVerdict verdict = PropagationPolicy.decide(kind, row.attempts(), outcome, now);
    String error =
        outcome instanceof HandlerOutcome.Failed f ? ErrorText.forStorage(f.error()) : "";
    try {
      return record(row, kind, verdict, error, now, run);
    } catch (RuntimeException e) {
      // The lease stays: the row is due again in five minutes, and this attempt is not counted.
      LOG.warn(
          "propagation_runner.record_failed propagation_id={} run_id={} error={}",
          row.id(),
          run.runId(),
          Masking.scrubUrls(e.toString()));
      return "record_failed";
    }
  }

  private String record(
      PendingPropagation row,
      Optional<PropagationKind> kind,
      PropagationVerdict verdict,
      String error,
      Instant now,
      JobRun run) {
    String kindLabel = kind.map(PropagationKind::wire).orElse(WorkerMetrics.UNKNOWN_KIND);
    switch (verdict) {
      case PropagationVerdict.Applied a -> {
        if (propagations.markApplied(row.id(), now)) {
          count(meters, WorkerMetrics.PROPAGATION_APPLIED, "kind", kindLabel);
          audit(row, AuditKind.PROPAGATION_APPLIED, "Propagation applied", Map.of(), run);
          LOG.info(
              "propagation_runner.applied propagation_id={} kind={} run_id={}",
              row.id(),
              kindLabel,
              run.runId());
        }
        return "applied";
      }
      case PropagationVerdict.Retry r -> {
        if (propagations.retryLater(row.id(), r.attempts(), error, r.nextAttemptAt())) {
          count(meters, WorkerMetrics.PROPAGATION_RETRIED, "kind", kindLabel);
          audit(
              row,
              r.audit(),
              "Propagation attempt " + r.attempts() + " failed; retrying",
              Map.of(
                  "attempts", r.attempts(),
                  "next_attempt_at", r.nextAttemptAt().toString(),
                  "error", error),
              run);
          LOG.warn(
              "propagation_runner.retrying propagation_id={} kind={} attempts={} next_attempt_at={}"
                  + " run_id={} error={}",
              row.id(),
              kindLabel,
              r.attempts(),
              r.nextAttemptAt(),
              run.runId(),
              error);
        }
        return r.audit() == AuditKind.PROPAGATION_UNEXPECTED_SKIP ? "unexpected_skip" : "retrying";
      }
      case PropagationVerdict.DeadLetter d -> {
        if (propagations.markFailed(row.id(), d.attempts(), error, now)) {
          count(
              meters,
              WorkerMetrics.PROPAGATION_DEAD_LETTERED,
              "reason",
              d.reason(),
              "kind",
              d.kindLabel());
          audit(
              row,
              d.audit(),
              "Propagation dead-lettered after " + d.attempts() + " attempts",
              Map.of("attempts", d.attempts(), "reason", d.reason(), "error", error),
              run);
          LOG.error(
              "propagation_runner.dead_lettered propagation_id={} kind={} reason={} attempts={}"
                  + " run_id={} error={}",
              row.id(),
              d.kindLabel(),
              d.reason(),
              d.attempts(),
              run.runId(),
              error);
        }
        return "dead_lettered";
      }
    }
  }

  private void audit(
      PendingPropagation row,
      AuditKind kind,
      String summary,
      Map<String, Object> extra,
      JobRun run) {
    Map<String, Object> metadata = new HashMap<>(extra);
    metadata.put("propagation_id", row.id().toString());
    metadata.put("kind", shorten(row.kind()));
    metadata.put("target_tier", row.targetTier());
    audit.write(
        new AuditEvent(
            Optional.of(row.team()),
            AuditEvent.Actor.SYSTEM,
            kind,
            Optional.empty(),
            Optional.empty(),
            summary,
            metadata,
            Optional.of(row.id().toString())));
  }

  private static String shorten(String raw) {
    return raw.length() <= MAX_KIND_IN_TEXT ? raw : raw.substring(0, MAX_KIND_IN_TEXT) + "...";
  }
}
