package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.Chokepoint;
import dev.instanode.cluster.LiveStack;
import dev.instanode.cluster.NamespaceInventory;
import dev.instanode.core.DurationText;
import dev.instanode.core.Masking;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanSweepSettings;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.OrphanSweepDecision;
import dev.instanode.worker.decision.OrphanSweepDecision.Liveness;
import dev.instanode.worker.decision.OrphanSweepDecision.Reason;
import dev.instanode.worker.decision.StuckDeployDecision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code orphan_sweep}: finds the cluster objects no live row owns, in three passes, each a pure
 * classification ({@link OrphanSweepDecision}, {@link StuckDeployDecision}) and an act. One pass
 * that cannot read its evidence is skipped (one WARN, {@value WorkerMetrics#ORPHAN_SWEEP_SKIPPED}
 * {@code {pass,reason}}, zero deletions); the others still run.
 *
 * <ol>
 *   <li><b>stacks</b>: {@code instant-stack-*} namespaces no {@code stacks} row names ({@code
 *       stack_no_row}), matched on {@code stacks.namespace}, the slug's namespace, never the id.
 *   <li><b>customer</b>: {@code instant-customer-*} namespaces whose token has no row in {@link
 *       OrphanSweepDecision#LIVE_RESOURCE} ({@code customer_no_row}); {@code pending} is live.
 *   <li><b>stuck</b>: stacks {@code deploying} for over {@link StackReconciler#DEPLOY_DEADLINE}
 *       whose every pod cannot pull its image or keeps crashing become {@code failed} ({@code
 *       failed_build}), through the same guarded {@link StackRepository#failStillDeploying} as
 *       {@code stack_reconciler}, so the two can never disagree. It is a backstop: that reconciler
 *       already records such a stack {@code failed} on its next observation (a stuck pod reads as
 *       failed) and fails any deploy past the deadline, so this pass should find nothing; when it
 *       does, the reconciler is not keeping up, which the gauge shows. Marking a row failed deletes
 *       nothing and the reconciler does it unflagged, so this pass is not behind the destructive
 *       flag.
 * </ol>
 *
 * <p>Rules of the two namespace passes, whose steps {@code orphan_db_sweep} shares ({@link
 * NamespaceOrphans}):
 *
 * <ul>
 *   <li><b>Evidence first.</b> Every page of the namespace list is read, and the live set for that
 *       page read after it (so a row committed between the two reads is seen), before anything is
 *       acted on: a list or a database read that fails anywhere skips the whole pass. An empty set
 *       that came from an error is never a verdict.
 *   <li><b>Grace.</b> Nothing younger than {@link OrphanSweepSettings#grace()} by its {@code
 *       creationTimestamp} is an orphan, and an age that cannot be read is never old. A namespace
 *       without our {@code managed-by} label, with a name no row could hold, or already terminating
 *       is left alone.
 *   <li><b>Audit-only by default.</b> Each candidate is logged ({@code orphan_sweep.proposed_reap}
 *       with its evidence: namespace, age, reason, the live set's size) and audited ({@code
 *       orphan.candidate}, no team: the namespace is cluster-scoped). Only with {@code
 *       ORPHAN_SWEEP_DESTRUCTIVE} is it then reaped: its key is read again (a row may have appeared
 *       since), then the namespace is deleted through the audited {@link Chokepoint} and its {@code
 *       DropGuard} ({@code deprovision.*} rows, no team). At most {@link
 *       NamespaceOrphans#REAP_LIMIT} candidates per pass are acted on; the rest wait for the next
 *       pass and are still counted.
 * </ul>
 *
 * Without a cluster ({@code KUBERNETES_MODE=off}) the job skips with a WARN. A customer namespace
 * is keyed by its resources row's token: should dedicated namespaces ever be pre-made in a pool
 * under another token, this pass must learn that key first (seed 000 again otherwise).
 */
public final class OrphanSweep implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);
  static final int ROW_PAGE = 100;

  /** The names this job logs and counts the steps it shares with {@code orphan_db_sweep} under. */
  private static final NamespaceOrphans.Vocabulary WORDS =
      new NamespaceOrphans.Vocabulary(
          "orphan_sweep",
          "reason",
          WorkerMetrics.ORPHAN_SWEEP_SKIPPED,
          WorkerMetrics.ORPHAN_SWEEP_REAPED,
          WorkerMetrics.ORPHAN_SWEEP_REAP_FAILED,
          WorkerMetrics.ORPHAN_SWEEP_TEARDOWN);

  private final StackRepository stacks;
  private final ResourceRepository resources;
  private final Optional<StackParts> parts;
  private final OrphanSweepSettings settings;
  private final MeterRegistry meters;
  private final Clock clock;
  private final NamespaceOrphans orphans;
  private final Map<Reason, AtomicLong> candidates = new EnumMap<>(Reason.class);
  // Both namespace passes find team_tombstoned orphans; its gauge is their sum.
  private final Map<String, Long> tombstonedCandidates = new ConcurrentHashMap<>();

  public OrphanSweep(
      Jdbi platform,
      Optional<StackParts> parts,
      AuditLog audit,
      OrphanSweepSettings settings,
      MeterRegistry meters,
      Clock clock) {
    this(platform, parts, audit, settings, meters, clock, NamespaceInventory.DEFAULT_PAGE);
  }

  OrphanSweep(
      Jdbi platform,
      Optional<StackParts> parts,
      AuditLog audit,
      OrphanSweepSettings settings,
      MeterRegistry meters,
      Clock clock,
      int pageSize) {
    requireNonNull(platform, "platform is null");
    this.stacks = new StackRepository(platform);
    this.resources = new ResourceRepository(platform);
    this.parts = requireNonNull(parts, "parts is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.orphans = new NamespaceOrphans(WORDS, LOG, audit, meters, settings.grace(), pageSize);
    for (Reason reason : Reason.values()) {
      AtomicLong gauge = new AtomicLong();
      candidates.put(reason, gauge);
      Gauge.builder(WorkerMetrics.ORPHAN_SWEEP_CANDIDATES, gauge, AtomicLong::get)
          .description("Orphans found by the latest orphan_sweep pass that could read its evidence")
          .tag("reason", reason.label())
          // Held by the registry, not only by this job: a gauge of a collected job reads NaN.
          .strongReference(true)
          .register(meters);
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (parts.isEmpty()) {
      return orphans.skipWithoutCluster(run);
    }
    Instant now = clock.instant();
    sweepNamespaces(new StackPass(), now, run, tally);
    sweepNamespaces(new CustomerPass(), now, run, tally);
    failStuckDeploys(now, run, tally);
    return tally.report();
  }

  // ---- the namespace passes ----

  /** What differs between the stacks pass and the customer pass: the kind and the live set. */
  private interface NamespacePass extends NamespaceOrphans.Evidence {
    /** The bounded {@code pass} label. */
    String name();

    NamespaceName.Kind kind();

    Reason reason();

    /** The chokepoint's bounded {@code resource_type}. */
    String resourceType();

    /** Those of {@code names} whose row belongs to a tombstoned team. */
    Set<NamespaceName> ofTombstonedTeams(List<NamespaceName> names);

    /**
     * An orphan has the pass's reason, or {@code team_tombstoned} when a row names it but its team
     * is a tombstone.
     */
    @Override
    default Map<NamespaceName, String> labels(List<NamespaceName> orphans) {
      Set<NamespaceName> tombstoned = ofTombstonedTeams(orphans);
      Map<NamespaceName, String> labels = new HashMap<>();
      orphans.forEach(
          n -> labels.put(n, (tombstoned.contains(n) ? Reason.TEAM_TOMBSTONED : reason()).label()));
      return labels;
    }
  }

  private final class StackPass implements NamespacePass {
    @Override
    public String name() {
      return "stacks";
    }

    @Override
    public NamespaceName.Kind kind() {
      return NamespaceName.Kind.STACK;
    }

    @Override
    public Reason reason() {
      return Reason.STACK_NO_ROW;
    }

    @Override
    public String resourceType() {
      return "stack";
    }

    @Override
    public Map<NamespaceName, Liveness> liveness(List<NamespaceName> names) {
      Map<NamespaceName, NamespaceName> keys = new HashMap<>();
      names.forEach(n -> OrphanSweepDecision.stackKey(n).ifPresent(k -> keys.put(n, k)));
      Set<NamespaceName> named = stacks.namespacesWithRows(keys.values());
      Map<NamespaceName, Liveness> liveness = new HashMap<>();
      for (NamespaceName n : names) {
        liveness.put(
            n,
            keys.containsKey(n)
                ? OrphanSweepDecision.stackLiveness(named.contains(keys.get(n)))
                : Liveness.UNKEYED);
      }
      return liveness;
    }

    @Override
    public Set<NamespaceName> ofTombstonedTeams(List<NamespaceName> names) {
      return stacks.namespacesOfTombstonedTeams(names);
    }

    @Override
    public long liveRows() {
      return stacks.count();
    }
  }

  private final class CustomerPass implements NamespacePass {
    @Override
    public String name() {
      return "customer";
    }

    @Override
    public NamespaceName.Kind kind() {
      return NamespaceName.Kind.CUSTOMER;
    }

    @Override
    public Reason reason() {
      return Reason.CUSTOMER_NO_ROW;
    }

    @Override
    public String resourceType() {
      return "customer_namespace";
    }

    /** As {@code orphan_db_sweep} reads it, except that a tombstoned team's row owns nothing. */
    @Override
    public Map<NamespaceName, Liveness> liveness(List<NamespaceName> names) {
      Map<NamespaceName, Liveness> liveness =
          new HashMap<>(NamespaceOrphans.customerLiveness(resources, names));
      ofTombstonedTeams(names).forEach(n -> liveness.put(n, Liveness.NO_LIVE_ROW));
      return liveness;
    }

    @Override
    public Set<NamespaceName> ofTombstonedTeams(List<NamespaceName> names) {
      Map<NamespaceName, ResourceToken> keys = NamespaceOrphans.customerKeys(names);
      Set<ResourceToken> tombstoned = resources.tokensOfTombstonedTeams(keys.values());
      Set<NamespaceName> out = new HashSet<>();
      keys.forEach((name, token) -> {
        if (tombstoned.contains(token)) {
          out.add(name);
        }
      });
      return out;
    }

    @Override
    public long liveRows() {
      return resources.countInStatuses(OrphanSweepDecision.LIVE_RESOURCE);
    }
  }

  private void sweepNamespaces(NamespacePass pass, Instant now, JobRun run, JobReport.Tally tally) {
    StackParts p = parts.orElseThrow();
    Optional<NamespaceOrphans.Survey> survey =
        orphans.survey(p, pass.name(), pass.kind(), pass, now, run, tally);
    if (survey.isEmpty()) {
      return;
    }
    candidates.get(pass.reason()).set(survey.get().orphans(pass.reason().label()));
    tombstonedCandidates.put(pass.name(), survey.get().orphans(Reason.TEAM_TOMBSTONED.label()));
    candidates
        .get(Reason.TEAM_TOMBSTONED)
        .set(tombstonedCandidates.values().stream().mapToLong(Long::longValue).sum());
    for (NamespaceOrphans.Candidate candidate : survey.get().kept()) {
      orphans.propose(
          pass.name(), candidate, pass.resourceType(), survey.get(), settings.destructive(), run);
      tally.add(settings.destructive() ? reap(p, pass, candidate, run) : "audit_only");
    }
  }

  /** The destructive arm: the key read again, then the namespace deleted through the chokepoint. */
  private String reap(
      StackParts p, NamespacePass pass, NamespaceOrphans.Candidate candidate, JobRun run) {
    NamespaceName name = candidate.name();
    String reason = candidate.label();
    Liveness again;
    try {
      again = pass.liveness(List.of(name)).get(name);
    } catch (RuntimeException e) {
      return orphans.reapFailed(pass.name(), name, reason, "recheck_error", e.toString(), run);
    }
    if (again != Liveness.NO_LIVE_ROW) {
      return orphans.reconfirmedLive(pass.name(), name, run);
    }
    return orphans.delete(p, pass.name(), name, pass.resourceType(), reason, run);
  }

  // ---- the stuck pass ----

  private void failStuckDeploys(Instant now, JobRun run, JobReport.Tally tally) {
    StackParts p = parts.orElseThrow();
    Instant deadline = now.minus(StackReconciler.DEPLOY_DEADLINE);
    long stuck = 0;
    Optional<StackId> after = Optional.empty();
    while (true) {
      List<StackRecord> page;
      try {
        page = stacks.inStatuses(Set.of(StackStatus.DEPLOYING), after, ROW_PAGE);
      } catch (RuntimeException e) {
        orphans.skip("stuck", "db_read_error", e, run, tally);
        return;
      }
      for (StackRecord row : page) {
        if (!row.updatedAt().isBefore(deadline)) {
          continue;
        }
        Optional<LiveStack> live;
        try {
          live = p.cluster().read(row.namespace());
        } catch (RuntimeException e) {
          // No verdict from a cluster that could not be read; the rest waits for the next pass.
          orphans.skip("stuck", "cluster_read_error", e, run, tally);
          return;
        }
        Optional<String> dominant =
            StuckDeployDecision.classify(
                row.services().stream().map(StackRecord.Service::name).toList(),
                live.map(OrphanSweep::pods));
        if (dominant.isEmpty()) {
          tally.add("stuck_not_stuck");
          continue;
        }
        stuck++;
        tally.add(failStuck(row, dominant.get(), deadline, run));
      }
      if (page.size() < ROW_PAGE) {
        break;
      }
      after = Optional.of(page.getLast().id());
    }
    candidates.get(Reason.FAILED_BUILD).set(stuck);
  }

  private static List<StuckDeployDecision.ServicePods> pods(LiveStack live) {
    return live.services().stream()
        .map(s ->
            new StuckDeployDecision.ServicePods(
                s.name(), s.availableReplicas(), s.waitingReasons()))
        .toList();
  }

  private String failStuck(StackRecord row, String dominant, Instant deadline, JobRun run) {
    String reason = Reason.FAILED_BUILD.label();
    String why =
        "stuck in "
            + dominant
            + " for over "
            + DurationText.format(StackReconciler.DEPLOY_DEADLINE)
            + " ("
            + reason
            + ")";
    boolean failed;
    try {
      failed =
          stacks.failStillDeploying(
              row.id(),
              deadline,
              row.services().stream()
                  .map(s ->
                      new StackRepository.ObservedService(s.name(), "failed", Optional.of(why)))
                  .toList());
    } catch (RuntimeException e) {
      count(meters, WorkerMetrics.ORPHAN_SWEEP_REAP_FAILED, "reason", reason);
      LOG.warn(
          "orphan_sweep.reap_failed pass=stuck slug={} run_id={} why={}: row unchanged",
          row.slug(),
          run.runId(),
          Masking.scrubUrls(e.toString()));
      return "reap_failed_stuck";
    }
    if (!failed) {
      // Redeployed, observed or deleted since it was read: stack_reconciler's guard and ours agree.
      return "stuck_changed_meanwhile";
    }
    count(meters, WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", reason);
    LOG.warn(
        "orphan_sweep.failed_build slug={} deploying_since={} dominant={} run_id={}: every pod is"
            + " stuck, marked failed",
        row.slug(),
        row.updatedAt(),
        dominant,
        run.runId());
    return "stuck_marked_failed";
  }
}
