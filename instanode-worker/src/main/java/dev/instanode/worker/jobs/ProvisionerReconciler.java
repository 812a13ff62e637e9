package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.ResourceRepository.Keyset;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.PendingDecision;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code provisioner_reconciler}: settles resources the api left half-way.
 *
 * <ul>
 *   <li>Stuck in {@code pending} for longer than {@link PendingDecision#GRACE}: the api died
 *       mid-provision. A row whose credentials were stored and whose infrastructure answers becomes
 *       {@code active}; any other is torn down (an idempotent drop) and only then marked {@code
 *       failed}. A probe that cannot tell leaves the row for the next run.
 *   <li>Stuck in {@code deleting} for longer than {@link #DELETING_GRACE}: a delete whose drop
 *       failed or whose process died. The drop is run again (idempotent) and only then is the row
 *       {@code deleted}.
 * </ul>
 */
public final class ProvisionerReconciler implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionerReconciler.class);
  static final int PAGE = 100;

  /** Far longer than a delete takes, so one in flight is never raced. */
  public static final Duration DELETING_GRACE = Duration.ofMinutes(2);

  enum Outcome {
    RECOVERED,
    ABANDONED,
    DELETE_FINISHED,
    WAITING,
    NOT_STUCK,
    DEPROVISION_FAILED,
    UNSUPPORTED_TYPE,
    ERROR
  }

  private final Jdbi platform;
  private final ResourceRepository resources;
  private final Optional<Provisioner> provisioner;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;

  public ProvisionerReconciler(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.platform = requireNonNull(platform, "platform is null");
    this.resources = new ResourceRepository(platform);
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      LOG.warn("provisioner_reconciler.skipped reason=no_provisioner run_id={}", run.runId());
      return tally.add("skipped_no_provisioner").report();
    }
    Instant now = clock.instant();
    walk(
        after -> resources.pendingCreatedBefore(now.minus(PendingDecision.GRACE), after, PAGE),
        id -> reconcileOne(id, now, run),
        tally);
    walk(
        after -> resources.deletingSince(now.minus(DELETING_GRACE), after, PAGE),
        id -> finishDelete(id, run),
        tally);
    return tally.report();
  }

  /** Every row the keyset pages name, each settled on its own. */
  private static void walk(
      Function<Keyset, List<Keyset>> pages,
      Function<ResourceId, Outcome> settle,
      JobReport.Tally tally) {
    Keyset after = Keyset.START;
    while (true) {
      List<Keyset> page = pages.apply(after);
      for (Keyset c : page) {
        tally.add(settle.apply(new ResourceId(c.id())).name().toLowerCase(Locale.ROOT));
      }
      if (page.size() < PAGE) {
        return;
      }
      after = page.getLast();
    }
  }

  /** Drops again under the row lock, then marks the row deleted; a failed drop keeps it. */
  private Outcome finishDelete(ResourceId id, JobRun run) {
    return underRowLock(
        id,
        run,
        (h, r) -> {
          if (r.status() != ResourceStatus.DELETING) {
            return new Settled(Outcome.NOT_STUCK, Optional.empty());
          }
          if (r.type().isEmpty()) {
            return new Settled(Outcome.UNSUPPORTED_TYPE, Optional.empty());
          }
          if (!tearDown(r, r.type().get(), "delete_resumed", run)) {
            return new Settled(Outcome.DEPROVISION_FAILED, Optional.empty());
          }
          transition(h, id, ResourceStatus.DELETING, ResourceStatus.DELETED);
          return new Settled(Outcome.DELETE_FINISHED, Optional.of(r));
        });
  }

  /** What settling one row came to, and the row when it changed. */
  private record Settled(Outcome outcome, Optional<Locked> row) {}

  /**
   * One row, one transaction: lock it (a lock held past {@code lock_timeout} means someone is
   * working on it: not stuck), settle it, then count and audit what happened.
   */
  private Outcome underRowLock(
      ResourceId id, JobRun run, BiFunction<Handle, Locked, Settled> settle) {
    Settled settled;
    try {
      settled =
          platform.inTransaction(h -> {
            // The api's activate and delete wait on this lock, then find the row settled.
            LockTimeouts.setLocal(h, ExpireAnonymous.LOCK_TIMEOUT);
            return lock(h, id)
                .map(r -> settle.apply(h, r))
                .orElse(new Settled(Outcome.NOT_STUCK, Optional.empty()));
          });
    } catch (RuntimeException e) {
      LOG.warn(
          "provisioner_reconciler.row_failed id={} run_id={} error={}",
          id,
          run.runId(),
          Masking.scrubUrls(e.toString()));
      settled =
          new Settled(
              LockTimeouts.isTimeout(e) ? Outcome.NOT_STUCK : Outcome.ERROR, Optional.empty());
    }
    record(settled.outcome(), settled.row().orElse(null), run);
    return settled.outcome();
  }

  /** The drop, through the provisioner's chokepoint; false (and a WARN) when it failed. */
  private boolean tearDown(Locked r, ResourceType type, String reason, JobRun run) {
    try {
      provisioner
          .orElseThrow()
          .deprovision(
              new DeprovisionRequest(
                  r.token(),
                  type,
                  r.providerResourceId().orElse(ProviderResourceId.NONE),
                  reason,
                  run.requestId()));
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "provisioner_reconciler.deprovision_failed token={} reason={} run_id={} error={}",
          r.token().masked(),
          reason,
          run.runId(),
          Masking.scrubUrls(e.toString()));
      return false;
    }
  }

  private record Locked(
      ResourceId id,
      ResourceToken token,
      Optional<TeamId> team,
      Optional<ResourceType> type,
      Optional<ProviderResourceId> providerResourceId,
      PendingDecision.Facts facts) {
    ResourceStatus status() {
      return facts.status();
    }
  }

  private Outcome reconcileOne(ResourceId id, Instant now, JobRun run) {
    return underRowLock(
        id,
        run,
        (h, r) -> {
          if (r.type().isEmpty()) {
            LOG.warn(
                "provisioner_reconciler.unsupported_type token={} run_id={}",
                r.token().masked(),
                run.runId());
            return new Settled(Outcome.UNSUPPORTED_TYPE, Optional.empty());
          }
          ResourceType type = r.type().get();
          PendingDecision.Probe probe = PendingDecision.Probe.NOT_PROBED;
          if (PendingDecision.needsProbe(r.facts(), now)) {
            probe = probe(provisioner.orElseThrow(), r, type, run);
          }
          return switch (PendingDecision.classify(r.facts(), probe, now)) {
            case NOT_STUCK -> new Settled(Outcome.NOT_STUCK, Optional.empty());
            case WAIT -> new Settled(Outcome.WAITING, Optional.empty());
            case ACTIVATE -> {
              transition(h, id, ResourceStatus.PENDING, ResourceStatus.ACTIVE);
              yield new Settled(Outcome.RECOVERED, Optional.of(r));
            }
            case TEAR_DOWN -> {
              if (!tearDown(r, type, "reconcile_abandoned", run)) {
                yield new Settled(Outcome.DEPROVISION_FAILED, Optional.empty());
              }
              transition(h, id, ResourceStatus.PENDING, ResourceStatus.FAILED);
              yield new Settled(Outcome.ABANDONED, Optional.of(r));
            }
          };
        });
  }

  private PendingDecision.Probe probe(Provisioner prov, Locked r, ResourceType type, JobRun run) {
    try {
      long bytes =
          prov.storageBytes(
              new StorageRequest(
                  r.token(), type, r.providerResourceId().orElseThrow(), run.requestId()));
      return PendingDecision.Probe.fromStorageBytes(type, bytes);
    } catch (RuntimeException e) {
      // An errored read is no evidence either way.
      LOG.warn(
          "provisioner_reconciler.probe_failed token={} run_id={} error={}",
          r.token().masked(),
          run.runId(),
          Masking.scrubUrls(e.toString()));
      return PendingDecision.Probe.UNKNOWN;
    }
  }

  /** Under the row lock, so exactly one row moves; anything else is reported, never ignored. */
  private static void transition(Handle h, ResourceId id, ResourceStatus from, ResourceStatus to) {
    int n = ResourceRepository.transition(h, id, from, to);
    if (n != 1) {
      // Impossible while we hold the lock; never report a change that did not land.
      throw new IllegalStateException(from.wireName() + " update touched " + n + " rows");
    }
  }

  private void record(Outcome outcome, Locked row, JobRun run) {
    String type = row == null ? "" : row.type().map(ResourceType::wireName).orElse("other");
    switch (outcome) {
      case RECOVERED -> {
        count(meters, WorkerMetrics.RECONCILE_RECOVERED, "resource_type", type);
        audit(
            row,
            AuditKind.RESOURCE_RECONCILE_RECOVERED,
            "Activated a resource stuck in pending",
            run);
      }
      case ABANDONED -> {
        count(meters, WorkerMetrics.RECONCILE_ABANDONED, "resource_type", type);
        audit(
            row,
            AuditKind.RESOURCE_RECONCILE_ABANDONED,
            "Tore down a resource stuck in pending and marked it failed",
            run);
      }
      case DELETE_FINISHED -> {
        count(meters, WorkerMetrics.RECONCILE_DELETE_FINISHED, "resource_type", type);
        audit(row, AuditKind.RESOURCE_DELETED, "Finished an interrupted delete", run);
      }
      case WAITING ->
          count(meters, WorkerMetrics.RECONCILE_WAITING, "reason", "probe_inconclusive");
      case DEPROVISION_FAILED ->
          count(meters, WorkerMetrics.RECONCILE_FAILED, "step", "deprovision");
      case UNSUPPORTED_TYPE ->
          count(meters, WorkerMetrics.RECONCILE_FAILED, "step", "unsupported_type");
      case ERROR -> count(meters, WorkerMetrics.RECONCILE_FAILED, "step", "database");
      case NOT_STUCK -> {}
    }
  }

  private void audit(Locked row, AuditKind kind, String summary, JobRun run) {
    String type = row.type().map(ResourceType::wireName).orElse("");
    audit.write(
        new AuditEvent(
            row.team(),
            AuditEvent.Actor.SYSTEM,
            kind,
            Optional.of(type),
            Optional.of(row.id()),
            summary,
            Map.of("job", run.job(), "token", row.token().masked()),
            Optional.of(run.requestId().value())));
    LOG.info(
        "provisioner_reconciler.{} token={} resource_type={} run_id={}",
        switch (kind) {
          case RESOURCE_RECONCILE_RECOVERED -> "recovered";
          case RESOURCE_DELETED -> "delete_finished";
          default -> "abandoned";
        },
        row.token().masked(),
        type,
        run.runId());
  }

  private static Optional<Locked> lock(Handle h, ResourceId id) {
    return ResourceRepository.lockForReconcile(h, id)
        .map(r ->
            new Locked(
                r.id(),
                r.token(),
                r.team(),
                r.type(),
                r.providerResourceId(),
                new PendingDecision.Facts(
                    r.status(),
                    r.createdAt(),
                    r.hasUrl() && r.providerResourceId().filter(p -> !p.isEmpty()).isPresent())));
  }
}
