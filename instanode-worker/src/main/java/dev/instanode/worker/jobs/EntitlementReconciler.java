package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.ResourceRepository.CapDrift;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.RegradeVerdict;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code entitlement_reconciler}: the backstop that makes every paid resource whose connection cap
 * is a setting on its role ({@link ResourceKind.ConnectionCap#ROLE_SETTING}: Postgres today) match
 * its tier's plan. Drift is decided in SQL ({@code applied_conn_limit IS DISTINCT FROM} the plan's
 * limit for {@code resources.tier}) and walked with keyset pagination, so every drifted row is
 * reached, not only the first page (the original's bug).
 */
public final class EntitlementReconciler implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(EntitlementReconciler.class);
  public static final int DEFAULT_PAGE = 200;
  private static final Set<Tier> UNPAID = EnumSet.of(Tier.ANONYMOUS, Tier.FREE);
  private static final UUID NIL = new UUID(0, 0);

  private final Optional<Provisioner> provisioner;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final int pageSize;
  private final ResourceRepository resources;
  private final Map<ResourceType, Map<Tier, Integer>> capsByType =
      new EnumMap<>(ResourceType.class);

  public EntitlementReconciler(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      Plans plans,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this(platform, provisioner, plans, audit, meters, clock, DEFAULT_PAGE);
  }

  EntitlementReconciler(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      Plans plans,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock,
      int pageSize) {
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.pageSize = pageSize;
    this.resources = new ResourceRepository(requireNonNull(platform, "platform is null"));
    for (ResourceKind kind : ResourceKinds.all()) {
      if (kind.connectionCap() != ResourceKind.ConnectionCap.ROLE_SETTING) {
        continue;
      }
      Map<Tier, Integer> capByTier = new EnumMap<>(Tier.class);
      for (Tier tier : Tier.values()) {
        if (!UNPAID.contains(tier)) {
          capByTier.put(tier, Math.toIntExact(plans.connectionsLimit(tier, kind.type())));
        }
      }
      capsByType.put(kind.type(), capByTier);
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      LOG.warn("entitlement_reconciler.skipped reason=no_provisioner run_id={}", run.runId());
      return tally.add("skipped_no_provisioner").report();
    }
    Instant now = clock.instant();
    capsByType.forEach((type, capByTier) -> reconcile(type, capByTier, now, tally, run));
    return tally.report();
  }

  private void reconcile(
      ResourceType type,
      Map<Tier, Integer> capByTier,
      Instant now,
      JobReport.Tally tally,
      JobRun run) {
    UUID after = NIL;
    while (true) {
      List<CapDrift> page = resources.capDrift(type, capByTier, now, after, pageSize);
      for (CapDrift row : page) {
        tally.add("drift_detected");
        tally.add(correct(row, run) ? "corrected" : "regrade_failed");
      }
      if (page.size() < pageSize) {
        return;
      }
      after = page.getLast().id().value();
    }
  }

  private boolean correct(CapDrift row, JobRun run) {
    count(meters, WorkerMetrics.ENTITLEMENT_DRIFT_DETECTED);
    RegradeVerdict verdict;
    try {
      verdict =
          RegradeVerdict.of(
              provisioner
                  .orElseThrow()
                  .regrade(
                      new RegradeRequest(
                          row.token(),
                          row.type(),
                          row.tier(),
                          row.providerResourceId(),
                          run.requestId())));
    } catch (RuntimeException e) {
      return failed(row, run, Masking.scrubUrls(e.toString()));
    }
    OptionalLong limit = verdict.limitInForce();
    if (limit.isEmpty()) {
      return failed(row, run, verdict.toString());
    }
    count(meters, WorkerMetrics.ENTITLEMENT_REGRADED);
    boolean persisted;
    try {
      persisted =
          resources.recordAppliedConnLimit(
              row.id(), Math.toIntExact(limit.getAsLong()), Optional.of(row.tier()));
    } catch (RuntimeException e) {
      return failed(row, run, "persist: " + e);
    }
    if (!persisted) {
      // The row changed under us (tier or status); the next run decides again.
      return false;
    }
    count(
        meters, WorkerMetrics.ENTITLEMENT_DRIFT_CORRECTED, "resource_type", row.type().wireName());
    LOG.warn(
        "entitlement_reconciler.drift_corrected token={} tier={} was={} now={} run_id={}",
        row.token().masked(),
        row.tier().wireName(),
        row.applied().map(String::valueOf).orElse("null"),
        limit.getAsLong(),
        run.runId());
    audit.write(
        new AuditEvent(
            row.team(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.ENTITLEMENT_DRIFT_CORRECTED,
            Optional.of(row.type().wireName()),
            Optional.of(row.id()),
            "Connection cap corrected to the " + row.tier().wireName() + " plan",
            Map.of(
                "job", run.job(),
                "was", row.applied().map(String::valueOf).orElse("null"),
                "now", limit.getAsLong(),
                "plan_limit", row.planLimit()),
            Optional.of(run.requestId().value())));
    return true;
  }

  private boolean failed(CapDrift row, JobRun run, String why) {
    count(meters, WorkerMetrics.ENTITLEMENT_REGRADE_FAILED);
    LOG.warn(
        "entitlement_reconciler.regrade_failed token={} tier={} run_id={} error={}",
        row.token().masked(),
        row.tier().wireName(),
        run.runId(),
        why);
    return false;
  }
}
