package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.PoolOrphanDecision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pool_orphan_reaper}: decides the {@code assigned} pool items older than {@link
 * PoolOrphanDecision#GRACE}, the half seed 002 could not build from the provisioner alone.
 *
 * <p>Two reads, two databases, never a join: the items come from the provisioner (through its
 * interface; the worker never opens the provisioner's database), and the resources rows their
 * {@code bound_token}s name come from the platform database. {@link PoolOrphanDecision#classify}
 * decides in Java. If either read fails the pass does nothing.
 *
 * <ul>
 *   <li>Bound to a live resource that names the item's pool token: the tracking row is deleted and
 *       the infrastructure kept (the resource owns it now).
 *   <li>Orphan (no non-terminal row for the token): counted and logged as a candidate. Only when
 *       {@code POOL_ORPHAN_REAP_DESTRUCTIVE} is on is it deprovisioned through the provisioner (its
 *       audited chokepoint), after re-reading the owner, under the item's row lock so no two passes
 *       act on one item; its row is deleted only after the drop succeeded.
 * </ul>
 */
public final class PoolOrphanReaper implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PoolOrphanReaper.class);
  public static final int BATCH = 200;

  private final ResourceRepository resources;
  private final Optional<Provisioner> provisioner;
  private final boolean destructive;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<ResourceType, AtomicLong> current = new EnumMap<>(ResourceType.class);

  public PoolOrphanReaper(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      boolean destructive,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.resources = new ResourceRepository(requireNonNull(platform, "platform is null"));
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.destructive = destructive;
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    for (ResourceType type : ResourceType.values()) {
      AtomicLong gauge = new AtomicLong();
      current.put(type, gauge);
      Gauge.builder(WorkerMetrics.POOL_ORPHAN_CANDIDATES_CURRENT, gauge, AtomicLong::get)
          .description("Orphaned assigned pool items seen by the latest pass")
          .tag("resource_type", type.wireName())
          // The registry keeps the count alive: a collected job instance must not read as NaN.
          .strongReference(true)
          .register(meters);
    }
  }

  private static PoolOrphanDecision.Item facts(AssignedPoolItem item) {
    return new PoolOrphanDecision.Item(item.poolToken(), item.assignedAt());
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      LOG.debug("pool_orphan_reaper.idle reason=no_provisioner");
      return tally.report();
    }
    Instant now = clock.instant();
    List<AssignedPoolItem> items;
    try {
      items =
          provisioner.orElseThrow().assignedPoolItems(now.minus(PoolOrphanDecision.GRACE), BATCH);
    } catch (RuntimeException e) {
      return skip(tally, "pool_read_error", e, run);
    }
    if (items.isEmpty()) {
      current.values().forEach(g -> g.set(0));
      return tally.report();
    }
    Map<ResourceToken, PoolOrphanDecision.Owner> owners;
    try {
      owners = owners(items.stream().map(AssignedPoolItem::boundToken).distinct().toList());
    } catch (RuntimeException e) {
      // Never decide from a live set that came from an error: that is how live data gets dropped.
      return skip(tally, "platform_read_error", e, run);
    }
    Map<ResourceType, Long> candidates = new EnumMap<>(ResourceType.class);
    for (AssignedPoolItem item : items) {
      PoolOrphanDecision.Verdict verdict =
          PoolOrphanDecision.classify(
              facts(item), Optional.ofNullable(owners.get(item.boundToken())), now);
      tally.add(verdict.name().toLowerCase(Locale.ROOT));
      switch (verdict) {
        case TOO_YOUNG -> {}
        case RELEASE -> release(item, tally, run);
        case KEEP_PENDING -> count(meters, WorkerMetrics.POOL_KEPT, "reason", "owner_pending");
        case KEEP_MISMATCH -> {
          count(meters, WorkerMetrics.POOL_KEPT, "reason", "owner_names_other_infra");
          LOG.warn(
              "pool_orphan_reaper.owner_mismatch pool_token={} bound_token={} run_id={}: a live"
                  + " resource is bound to this item but does not name it; left alone",
              item.poolToken().masked(),
              item.boundToken().masked(),
              run.runId());
        }
        case ORPHAN -> {
          candidates.merge(item.type(), 1L, Long::sum);
          count(
              meters,
              WorkerMetrics.POOL_ORPHAN_CANDIDATES,
              "resource_type",
              item.type().wireName());
          LOG.info(
              "pool_orphan_reaper.candidate pool_token={} bound_token={} resource_type={}"
                  + " assigned_for={} destructive={} run_id={}",
              item.poolToken().masked(),
              item.boundToken().masked(),
              item.type().wireName(),
              Duration.between(item.assignedAt(), now).withNanos(0),
              destructive,
              run.runId());
          if (destructive) {
            tally.add(reap(item, now, run));
          }
        }
      }
    }
    current.forEach((type, gauge) -> gauge.set(candidates.getOrDefault(type, 0L)));
    return tally.report();
  }

  private JobReport skip(JobReport.Tally tally, String reason, RuntimeException e, JobRun run) {
    count(meters, WorkerMetrics.POOL_ORPHAN_SKIPPED, "reason", reason);
    LOG.warn(
        "pool_orphan_reaper.skipped reason={} run_id={} error={}: no item decided this pass",
        reason,
        run.runId(),
        Masking.scrubUrls(e.toString()));
    return tally.add("skipped_" + reason).report();
  }

  /** The resources rows for these tokens, from the platform database. Absent = no row at all. */
  private Map<ResourceToken, PoolOrphanDecision.Owner> owners(Collection<ResourceToken> tokens) {
    Map<ResourceToken, PoolOrphanDecision.Owner> owners = new HashMap<>();
    resources
        .ownershipOf(tokens)
        .forEach((token, o) ->
            owners.put(token, new PoolOrphanDecision.Owner(o.status(), o.providerResourceId())));
    return owners;
  }

  private void release(AssignedPoolItem item, JobReport.Tally tally, JobRun run) {
    try {
      if (provisioner.orElseThrow().releasePoolItem(item)) {
        count(meters, WorkerMetrics.POOL_RELEASED, "resource_type", item.type().wireName());
        LOG.info(
            "pool_orphan_reaper.released pool_token={} bound_token={} run_id={}: owned by its"
                + " resource now, infrastructure kept",
            item.poolToken().masked(),
            item.boundToken().masked(),
            run.runId());
      }
    } catch (RuntimeException e) {
      tally.add("release_failed");
      LOG.warn(
          "pool_orphan_reaper.release_failed pool_token={} run_id={} error={}",
          item.poolToken().masked(),
          run.runId(),
          Masking.scrubUrls(e.toString()));
    }
  }

  /**
   * The destructive arm. Re-reads the owner first; the provisioner then holds the item's row lock
   * across the drop and deletes the row only after it, so two passes never act on one item.
   */
  private String reap(AssignedPoolItem item, Instant now, JobRun run) {
    String type = item.type().wireName();
    PoolOrphanDecision.Verdict again;
    try {
      again =
          PoolOrphanDecision.classify(
              facts(item),
              Optional.ofNullable(owners(List.of(item.boundToken())).get(item.boundToken())),
              now);
    } catch (RuntimeException e) {
      return reapFailed(item, type, "error", "reap_failed", e, run);
    }
    if (again != PoolOrphanDecision.Verdict.ORPHAN) {
      count(
          meters,
          WorkerMetrics.POOL_ORPHAN_REAPED,
          "resource_type",
          type,
          "outcome",
          "reconfirm_changed");
      return "reap_skipped_reconfirm";
    }
    boolean reaped;
    try {
      reaped = provisioner.orElseThrow().reapPoolItem(item, "pool_orphan_reap", run.requestId());
    } catch (RuntimeException e) {
      return reapFailed(item, type, "deprovision_err", "reap_deprovision_failed", e, run);
    }
    if (!reaped) {
      return "reap_skipped_gone";
    }
    count(meters, WorkerMetrics.POOL_ORPHAN_REAPED, "resource_type", type, "outcome", "reaped");
    audit.write(
        new AuditEvent(
            Optional.empty(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.POOL_ORPHAN_REAPED,
            Optional.of(type),
            Optional.empty(),
            "Tore down an orphaned pool item",
            Map.of(
                "job", run.job(),
                "pool_token", item.poolToken().masked(),
                "bound_token", item.boundToken().masked()),
            Optional.of(run.requestId().value())));
    LOG.warn(
        "pool_orphan_reaper.reaped pool_token={} bound_token={} resource_type={} run_id={}",
        item.poolToken().masked(),
        item.boundToken().masked(),
        type,
        run.runId());
    return "reaped";
  }

  private String reapFailed(
      AssignedPoolItem item,
      String type,
      String outcome,
      String tallyKey,
      RuntimeException e,
      JobRun run) {
    count(meters, WorkerMetrics.POOL_ORPHAN_REAPED, "resource_type", type, "outcome", outcome);
    LOG.warn(
        "pool_orphan_reaper.{} pool_token={} run_id={} error={}: row kept",
        tallyKey,
        item.poolToken().masked(),
        run.runId(),
        Masking.scrubUrls(e.toString()));
    return tallyKey;
  }
}
