package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.Chokepoint;
import dev.instanode.chokepoint.DestructionRefusedException;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.LiveStack;
import dev.instanode.cluster.NamespaceInventory;
import dev.instanode.cluster.TenantNamespace;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DurationText;
import dev.instanode.core.Masking;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDestructionAudit;
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
import dev.instanode.worker.decision.OrphanSweepDecision.Verdict;
import dev.instanode.worker.decision.StuckDeployDecision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Rules of the two namespace passes:
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
 *       DropGuard} ({@code deprovision.*} rows, no team). At most {@link #REAP_LIMIT} candidates
 *       per pass are acted on; the rest wait for the next pass and are still counted.
 * </ul>
 *
 * Without a cluster ({@code KUBERNETES_MODE=off}) the job skips with a WARN. A customer namespace
 * is keyed by its resources row's token: should dedicated namespaces ever be pre-made in a pool
 * under another token, this pass must learn that key first (seed 000 again otherwise).
 */
public final class OrphanSweep implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);
  static final int ROW_PAGE = 100;

  /**
   * Candidates acted on (audited, and reaped when destructive) per pass: a bounded blast radius.
   */
  static final int REAP_LIMIT = 100;

  private final StackRepository stacks;
  private final ResourceRepository resources;
  private final Optional<StackParts> parts;
  private final AuditLog audit;
  private final OrphanSweepSettings settings;
  private final MeterRegistry meters;
  private final Clock clock;
  private final int pageSize;
  private final Map<Reason, AtomicLong> candidates = new EnumMap<>(Reason.class);

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
    this.audit = requireNonNull(audit, "audit is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.pageSize = pageSize;
    for (Reason reason : Reason.values()) {
      AtomicLong gauge = new AtomicLong();
      candidates.put(reason, gauge);
      Gauge.builder(WorkerMetrics.ORPHAN_SWEEP_CANDIDATES, gauge, AtomicLong::get)
          .description("Orphans found by the latest orphan_sweep pass that could read its evidence")
          .tag("reason", reason.label())
          .register(meters);
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (parts.isEmpty()) {
      LOG.warn(
          "orphan_sweep.skipped reason=no_cluster run_id={}: Kubernetes is off, no namespace is"
              + " swept",
          run.runId());
      count(meters, WorkerMetrics.ORPHAN_SWEEP_SKIPPED, "pass", "all", "reason", "no_cluster");
      return tally.add("skipped_no_cluster").report();
    }
    Instant now = clock.instant();
    sweepNamespaces(new StackPass(), now, run, tally);
    sweepNamespaces(new CustomerPass(), now, run, tally);
    failStuckDeploys(now, run, tally);
    return tally.report();
  }

  // ---- the namespace passes ----

  /** What differs between the stacks pass and the customer pass: the kind and the live set. */
  private interface NamespacePass {
    /** The bounded {@code pass} label. */
    String name();

    NamespaceName.Kind kind();

    Reason reason();

    /** The chokepoint's bounded {@code resource_type}. */
    String resourceType();

    /** The liveness of each of {@code names}, read from the platform database now. */
    Map<NamespaceName, Liveness> liveness(List<NamespaceName> names);

    /** The size of the live set these namespaces are checked against. */
    long liveRows();
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

    @Override
    public Map<NamespaceName, Liveness> liveness(List<NamespaceName> names) {
      Map<NamespaceName, ResourceToken> keys = new HashMap<>();
      names.forEach(n -> OrphanSweepDecision.customerKey(n).ifPresent(k -> keys.put(n, k)));
      Map<ResourceToken, ResourceStatus> statuses = resources.statusesOf(keys.values());
      Map<NamespaceName, Liveness> liveness = new HashMap<>();
      for (NamespaceName n : names) {
        liveness.put(
            n,
            keys.containsKey(n)
                ? OrphanSweepDecision.customerLiveness(
                    Optional.ofNullable(statuses.get(keys.get(n))))
                : Liveness.UNKEYED);
      }
      return liveness;
    }

    @Override
    public long liveRows() {
      return resources.countInStatuses(OrphanSweepDecision.LIVE_RESOURCE);
    }
  }

  /** A namespace judged an orphan, with its age when judged. */
  private record Candidate(NamespaceName name, Duration age) {}

  /** What one pass's list and live-set reads found; only the first candidates are kept. */
  private static final class Survey {
    final Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
    final List<Candidate> kept = new ArrayList<>();

    void add(Verdict verdict) {
      verdicts.merge(verdict, 1L, Long::sum);
    }

    long count(Verdict verdict) {
      return verdicts.getOrDefault(verdict, 0L);
    }
  }

  /** A database read inside the list's page callback failed: the pass's live set is unreadable. */
  private static final class LiveSetUnreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LiveSetUnreadable(RuntimeException cause) {
      super(cause);
    }
  }

  private void sweepNamespaces(NamespacePass pass, Instant now, JobRun run, JobReport.Tally tally) {
    StackParts p = parts.orElseThrow();
    Survey survey = new Survey();
    try {
      p.cluster().eachNamespacePage(pass.kind(), pageSize, page -> survey(pass, page, now, survey));
    } catch (LiveSetUnreadable e) {
      skip(pass.name(), "db_read_error", (RuntimeException) e.getCause(), run, tally);
      return;
    } catch (RuntimeException e) {
      // ClusterUnavailableException, or anything else the list threw: the list is incomplete.
      skip(pass.name(), "namespace_list_error", e, run, tally);
      return;
    }
    long liveRows;
    try {
      liveRows = pass.liveRows();
    } catch (RuntimeException e) {
      skip(pass.name(), "db_read_error", e, run, tally);
      return;
    }
    long orphans = survey.count(Verdict.ORPHAN);
    candidates.get(pass.reason()).set(orphans);
    survey.verdicts.forEach(
        (verdict, n) -> tally.add(pass.name() + "_" + verdict.name().toLowerCase(Locale.ROOT), n));
    if (survey.count(Verdict.AGE_UNKNOWN) > 0 || survey.count(Verdict.NOT_OURS) > 0) {
      LOG.info(
          "orphan_sweep.left_alone pass={} age_unknown={} not_ours={} run_id={}: never reaped;"
              + " a person should look",
          pass.name(),
          survey.count(Verdict.AGE_UNKNOWN),
          survey.count(Verdict.NOT_OURS),
          run.runId());
    }
    if (orphans > survey.kept.size()) {
      LOG.info(
          "orphan_sweep.over_limit pass={} candidates={} acted_on={} run_id={}: the rest wait"
              + " for the next pass",
          pass.name(),
          orphans,
          survey.kept.size(),
          run.runId());
    }
    Evidence evidence = new Evidence(liveRows, survey.count(Verdict.LIVE));
    for (Candidate candidate : survey.kept) {
      tally.add(act(pass, candidate, evidence, run));
    }
  }

  /** One page: its live set read now (after the page was listed), then each name classified. */
  private void survey(NamespacePass pass, List<TenantNamespace> page, Instant now, Survey survey) {
    Map<NamespaceName, Liveness> liveness;
    try {
      liveness = pass.liveness(page.stream().map(TenantNamespace::name).toList());
    } catch (RuntimeException e) {
      throw new LiveSetUnreadable(e);
    }
    for (TenantNamespace ns : page) {
      OrphanSweepDecision.Listed listed =
          new OrphanSweepDecision.Listed(
              ns.name(), ns.createdAt(), ns.managedByInstanode(), ns.terminating());
      Verdict verdict =
          OrphanSweepDecision.classify(listed, liveness.get(ns.name()), now, settings.grace());
      survey.add(verdict);
      if (verdict == Verdict.ORPHAN && survey.kept.size() < REAP_LIMIT) {
        survey.kept.add(
            new Candidate(ns.name(), Duration.between(ns.createdAt().orElseThrow(), now)));
      }
    }
  }

  /**
   * What a reap is decided on, besides the namespace and its age.
   *
   * @param liveRows the size of the live set in the database
   * @param liveNamespaces how many listed namespaces of this kind that live set names (all of them
   *     zero while rows exist is what seed 000's keying bug looked like)
   */
  private record Evidence(long liveRows, long liveNamespaces) {}

  private String act(NamespacePass pass, Candidate candidate, Evidence evidence, JobRun run) {
    String reason = pass.reason().label();
    LOG.info(
        "orphan_sweep.proposed_reap pass={} namespace={} age={} reason={} live_set_size={}"
            + " live_namespaces={} destructive={} run_id={}",
        pass.name(),
        candidate.name().masked(),
        DurationText.format(candidate.age().withNanos(0)),
        reason,
        evidence.liveRows(),
        evidence.liveNamespaces(),
        settings.destructive(),
        run.runId());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("job", run.job());
    metadata.put("pass", pass.name());
    metadata.put("namespace", candidate.name().masked());
    metadata.put("reason", reason);
    metadata.put("age_seconds", candidate.age().toSeconds());
    metadata.put("live_set_size", evidence.liveRows());
    metadata.put("live_namespaces", evidence.liveNamespaces());
    metadata.put("destructive", settings.destructive());
    audit.write(
        new AuditEvent(
            Optional.empty(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.ORPHAN_CANDIDATE,
            Optional.of(pass.resourceType()),
            Optional.empty(),
            settings.destructive()
                ? "Orphaned namespace found; reaping it"
                : "Orphaned namespace found; audit-only, nothing deleted",
            metadata,
            Optional.of(run.requestId().value())));
    if (!settings.destructive()) {
      return "audit_only";
    }
    return reap(pass, candidate.name(), run);
  }

  /** The destructive arm: the key read again, then the namespace deleted through the chokepoint. */
  private String reap(NamespacePass pass, NamespaceName name, JobRun run) {
    String reason = pass.reason().label();
    Liveness again;
    try {
      again = pass.liveness(List.of(name)).get(name);
    } catch (RuntimeException e) {
      return reapFailed(pass, name, "recheck_error", e.toString(), run);
    }
    if (again != Liveness.NO_LIVE_ROW) {
      // A row names it now (recorded after the page's live set was read): evidence wins.
      LOG.info(
          "orphan_sweep.reconfirm_live pass={} namespace={} run_id={}: a row names it now; kept",
          pass.name(),
          name.masked(),
          run.runId());
      return "reconfirm_live";
    }
    StackParts p = parts.orElseThrow();
    AtomicBoolean existed = new AtomicBoolean();
    Chokepoint chokepoint =
        new Chokepoint(
            p.guard(),
            new PlatformDestructionAudit(audit, Optional.empty()),
            meters,
            WorkerMetrics.ORPHAN_SWEEP_TEARDOWN,
            e -> e instanceof ClusterUnavailableException ? "cluster_unavailable" : "error");
    try {
      chokepoint.destroy(
          new Teardown(
              pass.resourceType(),
              "kubernetes",
              List.of(name),
              reason,
              run.requestId(),
              () -> existed.set(p.cluster().deleteNamespace(name))));
    } catch (DestructionRefusedException e) {
      return reapFailed(pass, name, "refused", e.getMessage(), run);
    } catch (RuntimeException e) {
      return reapFailed(pass, name, "teardown_failed", e.toString(), run);
    }
    if (!existed.get()) {
      LOG.info(
          "orphan_sweep.already_gone pass={} namespace={} run_id={}",
          pass.name(),
          name.masked(),
          run.runId());
      return "reap_already_gone";
    }
    count(meters, WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", reason);
    LOG.warn(
        "orphan_sweep.reaped pass={} namespace={} reason={} run_id={}",
        pass.name(),
        name.masked(),
        reason,
        run.runId());
    return "reaped";
  }

  private String reapFailed(
      NamespacePass pass, NamespaceName name, String step, String why, JobRun run) {
    count(meters, WorkerMetrics.ORPHAN_SWEEP_REAP_FAILED, "reason", pass.reason().label());
    LOG.warn(
        "orphan_sweep.reap_failed pass={} namespace={} step={} run_id={} why={}: kept",
        pass.name(),
        name.masked(),
        step,
        run.runId(),
        Masking.scrubUrls(String.valueOf(why)));
    return "reap_failed_" + step;
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
        skip("stuck", "db_read_error", e, run, tally);
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
          skip("stuck", "cluster_read_error", e, run, tally);
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
