package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Limit;
import dev.instanode.core.Masking;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.LimitsResult;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.ResourceRepository.LiveForLimits;
import dev.instanode.store.ResourceRepository.Measurement;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.LimitsDecision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code enforce_limits}: holds every live resource to its plan. Per resource type, one pass:
 *
 * <ol>
 *   <li>end tenants' runaway work (statements past their timeout, idle transactions);
 *   <li>measure every tenant at once ({@link Provisioner#usage}); a failed measurement skips the
 *       type, since nothing may be decided from a read that did not happen;
 *   <li>walk the live resources (keyset pages), match each to its measurement by the name its
 *       infrastructure carries (the pool token of a pooled one), and decide ({@link
 *       LimitsDecision}): stop writes over the limit, give them back under it, close connections
 *       over the cap;
 *   <li>record what was measured ({@code storage_bytes}, {@code storage_exceeded}).
 * </ol>
 *
 * Each transition is audited and counted. How far a tenant can overshoot is bounded by what it can
 * write in one interval of this job (see the README's limits section).
 */
public final class EnforceLimits implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(EnforceLimits.class);
  static final int PAGE = 500;
  private static final long MB = 1024L * 1024;
  private static final UUID NIL = new UUID(0, 0);

  private final ResourceRepository resources;
  private final Optional<Provisioner> provisioner;
  private final Plans plans;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<ResourceType, AtomicLong> overLimit = new EnumMap<>(ResourceType.class);

  public EnforceLimits(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      Plans plans,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.resources = new ResourceRepository(requireNonNull(platform, "platform is null"));
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.plans = requireNonNull(plans, "plans is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    for (ResourceType type : ResourceType.values()) {
      AtomicLong gauge = new AtomicLong();
      overLimit.put(type, gauge);
      Gauge.builder(WorkerMetrics.RESOURCES_OVER_LIMIT, gauge, AtomicLong::get)
          .description("Live resources whose writes are stopped for being over their plan")
          .tag("resource_type", type.wireName())
          // The registry keeps the count alive: a collected job instance must not read as NaN.
          .strongReference(true)
          .register(meters);
    }
  }

  /** What the resource's infrastructure is named after (the pool token of a pooled one). */
  private static InfraKey infraKey(LiveForLimits row) {
    return row.providerResourceId().namingKey(row.token());
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      LOG.warn("enforce_limits.skipped reason=no_provisioner run_id={}", run.runId());
      return tally.add("skipped_no_provisioner").report();
    }
    for (ResourceType type : ResourceType.values()) {
      if (ResourceKinds.of(type).enforcement() != ResourceKind.Enforcement.MEASURED) {
        continue; // held by every write as it lands, nothing to measure
      }
      Map<InfraKey, RunawayBounds> bounds = enforce(type, tally, run);
      stopRunawayWork(type, bounds, tally, run);
    }
    return tally.report();
  }

  /** Every live tenant is held to its own plan's bounds; any other to the strictest plan's. */
  private void stopRunawayWork(
      ResourceType type, Map<InfraKey, RunawayBounds> bounds, JobReport.Tally tally, JobRun run) {
    try {
      RunawayResult r =
          provisioner
              .orElseThrow()
              .stopRunawayWork(
                  new RunawayRequest(type, bounds, runawayBounds(Tier.ANONYMOUS), run.requestId()));
      countRunaway(type, "statement", r.statementsCancelled(), tally);
      countRunaway(type, "session", r.sessionsEnded(), tally);
    } catch (RuntimeException e) {
      skipped(type, "runaway_error", e, tally, run);
    }
  }

  private void countRunaway(ResourceType type, String what, int n, JobReport.Tally tally) {
    if (n > 0) {
      meters
          .counter(
              WorkerMetrics.LIMIT_RUNAWAY_STOPPED, "resource_type", type.wireName(), "what", what)
          .increment(n);
      tally.add("runaway_" + what + "_stopped", n);
    }
  }

  /**
   * Measures, decides and acts for every live resource of {@code type}; returns each one's runaway
   * bounds, which are sent whether or not the measurement worked.
   */
  private Map<InfraKey, RunawayBounds> enforce(
      ResourceType type, JobReport.Tally tally, JobRun run) {
    Optional<UsageReport> report;
    try {
      report =
          Optional.of(provisioner.orElseThrow().usage(new UsageRequest(type, run.requestId())));
    } catch (RuntimeException e) {
      skipped(type, "usage_error", e, tally, run);
      report = Optional.empty();
    }
    Map<InfraKey, TenantUsage> byKey = new HashMap<>();
    report.ifPresent(r -> r.tenants().forEach(t -> byKey.put(t.key(), t)));
    if (report.isPresent() && !report.get().complete()) {
      tally.add("incomplete_" + type.wireName());
    }
    Map<InfraKey, RunawayBounds> bounds = new HashMap<>();
    long blocked = 0;
    UUID after = NIL;
    while (true) {
      List<LiveForLimits> page = resources.liveOfType(type, after, PAGE);
      List<Measurement> measured = new ArrayList<>();
      for (LiveForLimits row : page) {
        bounds.put(infraKey(row), runawayBounds(row.tier()));
        if (report.isEmpty()) {
          continue;
        }
        Optional<TenantUsage> usage = Optional.ofNullable(byKey.get(infraKey(row)));
        LimitsDecision.Verdict verdict = decide(type, row, usage, report.get());
        if (usage.isPresent() && !usage.get().exact() && verdict.changesState()) {
          // An estimate only picks the tenant out: what is done is decided on a measurement.
          usage = measureExactly(type, row, usage.get(), tally, run);
          if (usage.isEmpty()) {
            continue;
          }
          verdict = decide(type, row, usage, report.get());
        }
        boolean nowBlocked = act(type, row, usage, verdict, tally, run);
        if (nowBlocked) {
          blocked++;
        }
        if (verdict.storageBytes().isPresent() || nowBlocked != row.storageExceeded()) {
          measured.add(new Measurement(row.id(), verdict.storageBytes(), nowBlocked));
        }
      }
      resources.recordMeasurements(measured, clock.instant());
      if (page.size() < PAGE) {
        break;
      }
      after = page.getLast().id().value();
    }
    if (report.isPresent() && report.get().complete()) {
      overLimit.get(type).set(blocked);
    }
    return bounds;
  }

  private LimitsDecision.Verdict decide(
      ResourceType type, LiveForLimits row, Optional<TenantUsage> usage, UsageReport report) {
    return LimitsDecision.decide(
        limits(row.tier(), type),
        usage.map(u -> new LimitsDecision.Measured(u.bytes(), u.connections(), u.writesBlocked())),
        report.complete(),
        report.underPressure());
  }

  /** The tenant's usage with its bytes summed key by key; empty when that measurement failed. */
  private Optional<TenantUsage> measureExactly(
      ResourceType type,
      LiveForLimits row,
      TenantUsage estimated,
      JobReport.Tally tally,
      JobRun run) {
    try {
      long bytes =
          provisioner
              .orElseThrow()
              .storageBytes(
                  new StorageRequest(row.token(), type, row.providerResourceId(), run.requestId()));
      tally.add("measured_exactly");
      return Optional.of(
          new TenantUsage(
              estimated.key(),
              bytes,
              true,
              estimated.keys(),
              estimated.connections(),
              estimated.writesBlocked()));
    } catch (RuntimeException e) {
      resourceFailed(type, row, "measure", e, tally, run);
      return Optional.empty();
    }
  }

  private RunawayBounds runawayBounds(Tier tier) {
    Plan.PostgresLimits pg = plans.of(tier).postgres();
    return new RunawayBounds(
        seconds(pg.statementTimeoutSeconds()), seconds(pg.idleInTransactionTimeoutSeconds()));
  }

  private static Duration seconds(long limit) {
    return Limit.isUnlimited(limit) ? Duration.ZERO : Duration.ofSeconds(limit);
  }

  /** Carries out a verdict; returns whether the resource's writes are stopped afterwards. */
  private boolean act(
      ResourceType type,
      LiveForLimits row,
      Optional<TenantUsage> usage,
      LimitsDecision.Verdict verdict,
      JobReport.Tally tally,
      JobRun run) {
    if (verdict.missing()) {
      count(meters, WorkerMetrics.LIMIT_MISSING_INFRA, "resource_type", type.wireName());
      tally.add("missing_infrastructure");
      LOG.warn(
          "enforce_limits.missing_infrastructure token={} resource_type={} run_id={}: a live row"
              + " whose infrastructure a complete measurement did not find",
          row.token().masked(),
          type.wireName(),
          run.runId());
      return row.storageExceeded();
    }
    if (usage.isEmpty()) {
      // Not measured (a cluster that did not answer): what the row says stands.
      return row.storageExceeded();
    }
    if (!verdict.needsEnforcing()) {
      return verdict.writesBlocked();
    }
    LimitsResult result;
    try {
      result =
          provisioner
              .orElseThrow()
              .enforceLimits(
                  new LimitsRequest(
                      row.token(),
                      type,
                      row.providerResourceId(),
                      verdict.writesBlocked(),
                      limits(row.tier(), type).connections(),
                      verdict.shedExcess()
                          ? OptionalLong.of(limits(row.tier(), type).bytes())
                          : OptionalLong.empty(),
                      run.requestId()));
    } catch (RuntimeException e) {
      resourceFailed(type, row, "enforce", e, tally, run);
      return usage.map(TenantUsage::writesBlocked).orElse(row.storageExceeded());
    }
    long bytes = usage.map(TenantUsage::bytes).orElse(0L);
    switch (verdict.writes()) {
      case BLOCK -> transition(type, row, AuditKind.RESOURCE_WRITES_BLOCKED, "blocked", bytes, run);
      case RESTORE ->
          transition(type, row, AuditKind.RESOURCE_WRITES_RESTORED, "restored", bytes, run);
      case KEEP -> {}
    }
    if (verdict.writes() != LimitsDecision.Writes.KEEP) {
      tally.add("writes_" + (verdict.writesBlocked() ? "blocked" : "restored"));
    }
    if (result.connectionsClosed() > 0) {
      connectionsClosed(type, row, usage, result.connectionsClosed(), tally, run);
    }
    if (result.bytesFreed() > 0) {
      shed(type, row, bytes, result.bytesFreed(), tally, run);
    }
    return verdict.writesBlocked();
  }

  private void transition(
      ResourceType type,
      LiveForLimits row,
      AuditKind kind,
      String transition,
      long bytes,
      JobRun run) {
    long limit = limits(row.tier(), type).bytes();
    count(
        meters,
        WorkerMetrics.LIMIT_TRANSITIONS,
        "resource_type",
        type.wireName(),
        "transition",
        transition);
    String what = ResourceKinds.of(type).size().noun();
    audit(
        row,
        type,
        kind,
        transition.equals("blocked")
            ? "Writes stopped: " + what + " over the " + row.tier().wireName() + " plan"
            : "Writes given back: " + what + " under the " + row.tier().wireName() + " plan",
        Map.of("bytes", bytes, "limit_bytes", limit, "tier", row.tier().wireName()),
        run);
    LOG.info(
        "enforce_limits.writes_{} token={} resource_type={} bytes={} limit_bytes={} run_id={}",
        transition,
        row.token().masked(),
        type.wireName(),
        bytes,
        limit,
        run.runId());
  }

  private void connectionsClosed(
      ResourceType type,
      LiveForLimits row,
      Optional<TenantUsage> usage,
      int closed,
      JobReport.Tally tally,
      JobRun run) {
    long cap = limits(row.tier(), type).connections();
    meters
        .counter(WorkerMetrics.LIMIT_CONNECTIONS_CLOSED, "resource_type", type.wireName())
        .increment(closed);
    tally.add("connections_closed", closed);
    audit(
        row,
        type,
        AuditKind.RESOURCE_CONNECTIONS_CLOSED,
        "Closed " + closed + " connection(s) over the plan's cap of " + cap,
        Map.of("open", usage.map(TenantUsage::connections).orElse(0), "cap", cap, "closed", closed),
        run);
    LOG.info(
        "enforce_limits.connections_closed token={} resource_type={} closed={} cap={} run_id={}",
        row.token().masked(),
        type.wireName(),
        closed,
        cap,
        run.runId());
  }

  private void shed(
      ResourceType type,
      LiveForLimits row,
      long held,
      long freed,
      JobReport.Tally tally,
      JobRun run) {
    long limit = limits(row.tier(), type).bytes();
    meters
        .counter(WorkerMetrics.LIMIT_BYTES_SHED, "resource_type", type.wireName())
        .increment(freed);
    tally.add("bytes_shed", freed);
    audit(
        row,
        type,
        AuditKind.RESOURCE_EXCESS_SHED,
        "Deleted " + freed + " bytes held beyond the plan: the shared server was short of room",
        Map.of("held_bytes", held, "limit_bytes", limit, "freed_bytes", freed),
        run);
    LOG.warn(
        "enforce_limits.excess_shed token={} resource_type={} held={} limit={} freed={} run_id={}",
        row.token().masked(),
        type.wireName(),
        held,
        limit,
        freed,
        run.runId());
  }

  /** A system audit row about one resource, with the job and the masked token added. */
  private void audit(
      LiveForLimits row,
      ResourceType type,
      AuditKind kind,
      String summary,
      Map<String, Object> details,
      JobRun run) {
    Map<String, Object> metadata = new HashMap<>(details);
    metadata.put("job", run.job());
    metadata.put("token", row.token().masked());
    audit.write(
        new AuditEvent(
            row.team(),
            AuditEvent.Actor.SYSTEM,
            kind,
            Optional.of(type.wireName()),
            Optional.of(row.id()),
            summary,
            metadata,
            Optional.of(run.requestId().value())));
  }

  private void skipped(
      ResourceType type, String reason, RuntimeException e, JobReport.Tally tally, JobRun run) {
    count(
        meters,
        WorkerMetrics.LIMIT_PASS_SKIPPED,
        "resource_type",
        type.wireName(),
        "reason",
        reason);
    tally.add("skipped_" + reason);
    LOG.warn(
        "enforce_limits.skipped resource_type={} reason={} run_id={} error={}",
        type.wireName(),
        reason,
        run.runId(),
        Masking.scrubUrls(e.toString()));
  }

  /** One resource's step failed: counted, tallied and logged; the pass goes on to the next row. */
  private void resourceFailed(
      ResourceType type,
      LiveForLimits row,
      String step,
      RuntimeException e,
      JobReport.Tally tally,
      JobRun run) {
    count(
        meters,
        WorkerMetrics.LIMIT_PASS_SKIPPED,
        "resource_type",
        type.wireName(),
        "reason",
        step + "_error");
    tally.add(step + "_failed");
    LOG.warn(
        "enforce_limits.{}_failed token={} resource_type={} run_id={} error={}",
        step,
        row.token().masked(),
        type.wireName(),
        run.runId(),
        Masking.scrubUrls(e.toString()));
  }

  private LimitsDecision.Limits limits(Tier tier, ResourceType type) {
    long mb = plans.storageLimitMb(tier, type);
    return new LimitsDecision.Limits(
        Limit.isUnlimited(mb) ? Limit.UNLIMITED : mb * MB, plans.connectionsLimit(tier, type));
  }
}
