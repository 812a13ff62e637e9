package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
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
import java.util.UUID;
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

  private static final UUID NIL = new UUID(0, 0);
  private static final Instant BEGINNING = Instant.parse("1970-01-01T00:00:00Z");

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
    Cursor after = new Cursor(BEGINNING, NIL);
    while (true) {
      List<Cursor> page = candidates(now, after);
      for (Cursor c : page) {
        tally.add(reconcileOne(new ResourceId(c.id()), now, run).name().toLowerCase(Locale.ROOT));
      }
      if (page.size() < PAGE) {
        break;
      }
      after = page.getLast();
    }
    after = new Cursor(BEGINNING, NIL);
    while (true) {
      List<Cursor> page = interruptedDeletes(now, after);
      for (Cursor c : page) {
        tally.add(finishDelete(new ResourceId(c.id()), run).name().toLowerCase(Locale.ROOT));
      }
      if (page.size() < PAGE) {
        return tally.report();
      }
      after = page.getLast();
    }
  }

  private List<Cursor> interruptedDeletes(Instant now, Cursor after) {
    return platform.withHandle(h ->
        h.createQuery(
                "SELECT id, updated_at FROM resources WHERE status = 'deleting'"
                    + " AND updated_at < :cutoff AND (updated_at, id) > (:after_at, :after_id)"
                    + " ORDER BY updated_at, id LIMIT :limit")
            .bind("cutoff", Sql.ts(now.minus(DELETING_GRACE)))
            .bind("after_at", Sql.ts(after.createdAt()))
            .bind("after_id", after.id())
            .bind("limit", PAGE)
            .map((rs, ctx) ->
                new Cursor(
                    Sql.instant(rs, "updated_at").orElseThrow(), rs.getObject("id", UUID.class)))
            .list());
  }

  /** Drops again under the row lock, then marks the row deleted; a failed drop keeps it. */
  private Outcome finishDelete(ResourceId id, JobRun run) {
    Provisioner prov = provisioner.orElseThrow();
    Locked[] finished = new Locked[1];
    Outcome outcome;
    try {
      outcome =
          platform.inTransaction(h -> {
            h.execute("SET LOCAL lock_timeout = '" + ExpireAnonymous.LOCK_TIMEOUT + "'");
            Optional<Locked> row = lock(h, id).filter(r -> r.status() == ResourceStatus.DELETING);
            if (row.isEmpty()) {
              return Outcome.NOT_STUCK;
            }
            Locked r = row.get();
            if (r.type().isEmpty()) {
              return Outcome.UNSUPPORTED_TYPE;
            }
            try {
              prov.deprovision(
                  new DeprovisionRequest(
                      r.token(),
                      r.type().get(),
                      r.providerResourceId().orElse(""),
                      "delete_resumed",
                      run.requestId()));
            } catch (RuntimeException e) {
              LOG.warn(
                  "provisioner_reconciler.delete_drop_failed token={} run_id={} error={}",
                  r.token().masked(),
                  run.runId(),
                  Masking.scrubUrls(e.toString()));
              return Outcome.DEPROVISION_FAILED;
            }
            h.createUpdate(
                    "UPDATE resources SET status = 'deleted', connection_url = NULL,"
                        + " updated_at = now() WHERE id = :id AND status = 'deleting'")
                .bind("id", id.value())
                .execute();
            finished[0] = r;
            return Outcome.DELETE_FINISHED;
          });
    } catch (RuntimeException e) {
      LOG.warn(
          "provisioner_reconciler.row_failed id={} run_id={} error={}",
          id,
          run.runId(),
          Masking.scrubUrls(e.toString()));
      outcome = Sql.isLockTimeout(e) ? Outcome.NOT_STUCK : Outcome.ERROR;
    }
    record(outcome, finished[0], run);
    return outcome;
  }

  private record Cursor(Instant createdAt, UUID id) {}

  private List<Cursor> candidates(Instant now, Cursor after) {
    return platform.withHandle(h ->
        h.createQuery(
                "SELECT id, created_at FROM resources WHERE status = 'pending'"
                    + " AND created_at < :cutoff AND (created_at, id) > (:after_created, :after_id)"
                    + " ORDER BY created_at, id LIMIT :limit")
            .bind("cutoff", Sql.ts(now.minus(PendingDecision.GRACE)))
            .bind("after_created", Sql.ts(after.createdAt()))
            .bind("after_id", after.id())
            .bind("limit", PAGE)
            .map((rs, ctx) ->
                new Cursor(
                    Sql.instant(rs, "created_at").orElseThrow(), rs.getObject("id", UUID.class)))
            .list());
  }

  private record Locked(
      ResourceId id,
      ResourceToken token,
      Optional<TeamId> team,
      Optional<ResourceType> type,
      Optional<String> providerResourceId,
      PendingDecision.Facts facts) {
    ResourceStatus status() {
      return facts.status();
    }
  }

  private Outcome reconcileOne(ResourceId id, Instant now, JobRun run) {
    Provisioner prov = provisioner.orElseThrow();
    Locked[] settled = new Locked[1];
    Outcome outcome;
    try {
      outcome =
          platform.inTransaction(h -> {
            // The api's activate waits on this lock, then finds the row no longer pending.
            h.execute("SET LOCAL lock_timeout = '" + ExpireAnonymous.LOCK_TIMEOUT + "'");
            Optional<Locked> row = lock(h, id);
            if (row.isEmpty()) {
              return Outcome.NOT_STUCK;
            }
            Locked r = row.get();
            if (r.type().isEmpty()) {
              LOG.warn(
                  "provisioner_reconciler.unsupported_type token={} run_id={}",
                  r.token().masked(),
                  run.runId());
              return Outcome.UNSUPPORTED_TYPE;
            }
            ResourceType type = r.type().get();
            PendingDecision.Probe probe = PendingDecision.Probe.NOT_PROBED;
            if (PendingDecision.needsProbe(r.facts(), now)) {
              probe = probe(prov, r, type, run);
            }
            PendingDecision.Verdict verdict = PendingDecision.classify(r.facts(), probe, now);
            switch (verdict) {
              case NOT_STUCK -> {
                return Outcome.NOT_STUCK;
              }
              case WAIT -> {
                return Outcome.WAITING;
              }
              case ACTIVATE -> {
                update(h, id, "active");
                settled[0] = r;
                return Outcome.RECOVERED;
              }
              case TEAR_DOWN -> {
                try {
                  prov.deprovision(
                      new DeprovisionRequest(
                          r.token(),
                          type,
                          r.providerResourceId().orElse(""),
                          "reconcile_abandoned",
                          run.requestId()));
                } catch (RuntimeException e) {
                  LOG.warn(
                      "provisioner_reconciler.deprovision_failed token={} run_id={} error={}",
                      r.token().masked(),
                      run.runId(),
                      Masking.scrubUrls(e.toString()));
                  return Outcome.DEPROVISION_FAILED;
                }
                update(h, id, "failed");
                settled[0] = r;
                return Outcome.ABANDONED;
              }
            }
            throw new IllegalStateException("unhandled verdict " + verdict);
          });
    } catch (RuntimeException e) {
      LOG.warn(
          "provisioner_reconciler.row_failed id={} run_id={} error={}",
          id,
          run.runId(),
          Masking.scrubUrls(e.toString()));
      outcome = Sql.isLockTimeout(e) ? Outcome.NOT_STUCK : Outcome.ERROR;
    }
    record(outcome, settled[0], run);
    return outcome;
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

  private static void update(Handle h, ResourceId id, String status) {
    String clearUrl = status.equals("failed") ? ", connection_url = NULL" : "";
    int n =
        h.createUpdate(
                "UPDATE resources SET status = :status"
                    + clearUrl
                    + ", updated_at = now() WHERE id = :id AND status = 'pending'")
            .bind("status", status)
            .bind("id", id.value())
            .execute();
    if (n != 1) {
      throw new IllegalStateException("pending update touched " + n + " rows");
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
    return h.createQuery(
            "SELECT id, token, team_id, resource_type, status, created_at,"
                + " connection_url IS NOT NULL AS has_url, provider_resource_id"
                + " FROM resources WHERE id = :id FOR UPDATE")
        .bind("id", id.value())
        .map((rs, ctx) -> {
          Optional<String> prid = Optional.ofNullable(rs.getString("provider_resource_id"));
          return new Locked(
              new ResourceId(rs.getObject("id", UUID.class)),
              new ResourceToken(rs.getObject("token", UUID.class)),
              Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
              ResourceType.parse(rs.getString("resource_type")),
              prid,
              new PendingDecision.Facts(
                  ResourceStatus.fromWire(rs.getString("status")),
                  Sql.instant(rs, "created_at").orElseThrow(),
                  rs.getBoolean("has_url") && prid.filter(p -> !p.isBlank()).isPresent()));
        })
        .findOne();
  }
}
