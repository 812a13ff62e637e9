package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.DurationText;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Masking;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanSweepSettings;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.InventorySweepDecision;
import dev.instanode.worker.decision.InventorySweepDecision.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inventory_sweep}: the shared backends' own objects ({@code db_*} databases and {@code
 * usr_*} roles, {@code usr_*} Redis users) that no platform row names and no pool item tracks.
 * Nothing else finds them: the provisioner reconciler starts from rows, the pool reaper from pool
 * rows, and a crash between creating an object and recording it leaves neither.
 *
 * <p>The rules of {@code orphan_sweep}, and its settings: the inventory is read first and the rows
 * after it, and a type whose inventory or rows could not be read is skipped whole (one WARN, {@code
 * instant_orphan_sweep_skipped_total}); nothing younger than {@code ORPHAN_SWEEP_GRACE}, by the
 * creation time written on the object, or of unknown age, is an orphan; every candidate is logged
 * ({@code proposed_reap}) and audited; with {@code ORPHAN_SWEEP_DESTRUCTIVE} its key is read again
 * and it is dropped through the provisioner's audited chokepoint, which refuses a key a pool item
 * tracks.
 */
public final class InventorySweep implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(InventorySweep.class);
  static final int REAP_LIMIT = 100;

  /** Keys looked up in one read of the rows: bounds the query and what is held at once. */
  static final int CHUNK = 5_000;

  private final ResourceRepository resources;
  private final Optional<Provisioner> provisioner;
  private final AuditLog audit;
  private final OrphanSweepSettings settings;
  private final MeterRegistry meters;
  private final Clock clock;
  private final AtomicLong candidates = new AtomicLong();

  public InventorySweep(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      AuditLog audit,
      OrphanSweepSettings settings,
      MeterRegistry meters,
      Clock clock) {
    this.resources = new ResourceRepository(requireNonNull(platform, "platform is null"));
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    Gauge.builder(WorkerMetrics.ORPHAN_SWEEP_CANDIDATES, candidates, AtomicLong::get)
        .description("Orphans found by the latest orphan_sweep pass that could read its evidence")
        .tag("reason", InventorySweepDecision.REASON)
        // The registry keeps the count alive: a collected job instance must not read as NaN.
        .strongReference(true)
        .register(meters);
  }

  /**
   * One orphan and what it was judged on.
   *
   * @param liveRows how many of the type's items a row named: the live set it was judged against
   */
  private record Candidate(InventoryItem item, ResourceType type, Duration age, long liveRows) {
    Candidate(InventoryItem item, ResourceType type, Duration age) {
      this(item, type, age, 0);
    }

    Candidate withLiveRows(long rows) {
      return new Candidate(item, type, age, rows);
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      LOG.warn("inventory_sweep.skipped reason=no_provisioner run_id={}", run.runId());
      return tally.add("skipped_no_provisioner").report();
    }
    Instant now = clock.instant();
    // Only the first REAP_LIMIT candidates are kept to act on; the rest are counted.
    List<Candidate> found = new ArrayList<>();
    long orphans = 0;
    boolean everyTypeRead = true;
    for (ResourceType type : ResourceType.values()) {
      OptionalLong ofType = survey(type, now, found, run, tally);
      orphans += ofType.orElse(0);
      everyTypeRead &= ofType.isPresent();
    }
    if (everyTypeRead) {
      candidates.set(orphans);
    }
    for (Candidate candidate : found) {
      tally.add(act(candidate, run));
    }
    if (orphans > found.size()) {
      tally.add("candidates_deferred", orphans - found.size());
    }
    return tally.report();
  }

  /**
   * Judges the type's inventory, adding its orphans to {@code found} while it holds fewer than
   * {@link #REAP_LIMIT}; returns how many it found, or empty when its evidence could not be read
   * whole (then nothing of the type is added).
   */
  private OptionalLong survey(
      ResourceType type, Instant now, List<Candidate> found, JobRun run, JobReport.Tally tally) {
    String pass = "backend_" + type.wireName();
    List<InventoryItem> items;
    try {
      items =
          provisioner.orElseThrow().inventory(new InventoryRequest(type, run.requestId())).items();
    } catch (RuntimeException e) {
      skip(pass, "inventory_error", e, run, tally);
      return OptionalLong.empty();
    }
    List<Candidate> ofType = new ArrayList<>();
    Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
    long orphans = 0;
    long namedRows = 0;
    for (int from = 0; from < items.size(); from += CHUNK) {
      List<InventoryItem> chunk = items.subList(from, Math.min(items.size(), from + CHUNK));
      Set<InfraKey> named;
      try {
        // Read after the inventory: a row recorded in between is seen, never missed.
        named = named(chunk.stream().map(InventoryItem::key).toList());
      } catch (RuntimeException e) {
        skip(pass, "db_error", e, run, tally);
        return OptionalLong.empty();
      }
      namedRows += named.size();
      for (InventoryItem item : chunk) {
        Verdict verdict =
            InventorySweepDecision.classify(
                new InventorySweepDecision.Seen(
                    named.contains(item.key()), item.pooled(), item.createdAt()),
                now,
                settings.grace());
        verdicts.merge(verdict, 1L, Long::sum);
        if (verdict == Verdict.ORPHAN) {
          orphans++;
          if (found.size() + ofType.size() < REAP_LIMIT) {
            ofType.add(
                new Candidate(item, type, Duration.between(item.createdAt().orElseThrow(), now)));
          }
        }
      }
    }
    long liveRows = namedRows;
    ofType.forEach(c -> found.add(c.withLiveRows(liveRows)));
    verdicts.forEach((verdict, n) ->
        tally.add(type.wireName() + "_" + verdict.name().toLowerCase(Locale.ROOT), n));
    return OptionalLong.of(orphans);
  }

  /** The keys among {@code keys} a resources row names, in any status. */
  private Set<InfraKey> named(List<InfraKey> keys) {
    List<ResourceToken> tokens = new ArrayList<>();
    List<PoolToken> poolTokens = new ArrayList<>();
    for (InfraKey key : keys) {
      switch (key) {
        case ResourceToken t -> tokens.add(t);
        case PoolToken p -> poolTokens.add(p);
      }
    }
    Set<InfraKey> named = new HashSet<>(resources.statusesOf(tokens).keySet());
    named.addAll(resources.poolTokensNamed(poolTokens));
    return named;
  }

  private String act(Candidate c, JobRun run) {
    String reason = InventorySweepDecision.REASON;
    LOG.info(
        "orphan_sweep.proposed_reap pass=backend_{} naming={} objects={} age={} reason={}"
            + " live_set_size={} destructive={} run_id={}",
        c.type().wireName(),
        c.item().key().masked(),
        c.item().objects(),
        DurationText.format(c.age().withNanos(0)),
        reason,
        c.liveRows(),
        settings.destructive(),
        run.runId());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("job", run.job());
    metadata.put("pass", "backend_" + c.type().wireName());
    metadata.put("naming", c.item().key().masked());
    metadata.put("objects", c.item().objects());
    metadata.put("reason", reason);
    metadata.put("age_seconds", c.age().toSeconds());
    metadata.put("live_set_size", c.liveRows());
    metadata.put("destructive", settings.destructive());
    audit.write(
        new AuditEvent(
            Optional.empty(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.ORPHAN_CANDIDATE,
            Optional.of(c.type().wireName()),
            Optional.empty(),
            settings.destructive()
                ? "Orphaned backend objects found; dropping them"
                : "Orphaned backend objects found; audit-only, nothing dropped",
            metadata,
            Optional.of(run.requestId().value())));
    if (!settings.destructive()) {
      return "audit_only";
    }
    return reap(c, run);
  }

  private String reap(Candidate c, JobRun run) {
    String reason = InventorySweepDecision.REASON;
    InfraKey key = c.item().key();
    try {
      if (!named(List.of(key)).isEmpty()) {
        LOG.info(
            "orphan_sweep.reconfirm_live pass=backend_{} naming={} run_id={}: a row names it now;"
                + " kept",
            c.type().wireName(),
            key.masked(),
            run.runId());
        return "reconfirm_live";
      }
    } catch (RuntimeException e) {
      return reapFailed(c, "recheck_error", e, run);
    }
    boolean dropped;
    try {
      dropped =
          provisioner
              .orElseThrow()
              .reapOrphan(new OrphanReapRequest(key, c.type(), reason, run.requestId()));
    } catch (RuntimeException e) {
      return reapFailed(c, "drop_failed", e, run);
    }
    if (!dropped) {
      LOG.info(
          "orphan_sweep.reconfirm_live pass=backend_{} naming={} run_id={}: a pool item tracks it"
              + " now; kept",
          c.type().wireName(),
          key.masked(),
          run.runId());
      return "reconfirm_pooled";
    }
    count(meters, WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", reason);
    LOG.warn(
        "orphan_sweep.reaped pass=backend_{} naming={} reason={} run_id={}",
        c.type().wireName(),
        key.masked(),
        reason,
        run.runId());
    return "reaped";
  }

  private String reapFailed(Candidate c, String step, RuntimeException e, JobRun run) {
    count(meters, WorkerMetrics.ORPHAN_SWEEP_REAP_FAILED, "reason", InventorySweepDecision.REASON);
    LOG.warn(
        "orphan_sweep.reap_failed pass=backend_{} naming={} step={} run_id={} why={}: kept",
        c.type().wireName(),
        c.item().key().masked(),
        step,
        run.runId(),
        Masking.scrubUrls(e.toString()));
    return "reap_failed_" + step;
  }

  private void skip(String pass, String reason, RuntimeException e, JobRun run, JobReport.Tally t) {
    count(meters, WorkerMetrics.ORPHAN_SWEEP_SKIPPED, "pass", pass, "reason", reason);
    LOG.warn(
        "orphan_sweep.skipped pass={} reason={} run_id={} error={}: its evidence could not be"
            + " read, nothing was decided",
        pass,
        reason,
        run.runId(),
        Masking.scrubUrls(e.toString()));
    t.add("skipped_" + pass + "_" + reason);
  }
}
