package dev.instanode.worker.jobs;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.NamespaceInventory;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanDbSweepSettings;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.WorkerSettings;
import dev.instanode.worker.decision.OrphanDbSweepDecision;
import dev.instanode.worker.decision.OrphanDbSweepDecision.Kind;
import dev.instanode.worker.decision.OrphanSweepDecision;
import dev.instanode.worker.decision.OrphanSweepDecision.Liveness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code orphan_db_sweep} (seed 001): the {@code instant-customer-<token>} namespaces a dedicated
 * database or cache left behind, found on their own hourly surface with per-kind metrics so the
 * backlog can be measured and its dry-run list reviewed before anything is reclaimed. Off and
 * audit-only by default.
 *
 * <ul>
 *   <li><b>Flags.</b> {@value WorkerSettings#ENV_ORPHAN_DB_SWEEP_ENABLED} off: a DEBUG no-op (no
 *       namespace list, no database read, no metric, no audit row). The destructive arm needs
 *       {@value WorkerSettings#ENV_ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED} as well, and a cluster.
 *   <li><b>Candidates.</b> {@code orphan_sweep}'s customer pass, step for step ({@link
 *       NamespaceOrphans}): namespaces whose token has no row in {@link
 *       OrphanSweepDecision#LIVE_RESOURCE} ({@code pending}, {@code active}, {@code paused}, {@code
 *       suspended}, and {@code deleting} too: a delete in flight is its own path's to finish, never
 *       raced), older than {@code ORPHAN_SWEEP_GRACE} by {@code creationTimestamp}; an unreadable
 *       age is skipped; evidence first (a list or read that fails deletes nothing, one WARN,
 *       {@value WorkerMetrics#ORPHAN_DB_SWEEP_SKIPPED}). Each is a {@link Kind}: {@code
 *       redis_namespace} when the latest deleted or expired row for its token was Redis, else
 *       {@code customer_namespace}.
 *   <li><b>Metrics.</b> {@value WorkerMetrics#ORPHAN_DB_SWEEP_CANDIDATES}{@code {kind}} counts
 *       every candidate of every run; {@value
 *       WorkerMetrics#ORPHAN_DB_SWEEP_CANDIDATES_CURRENT}{@code {kind}} is set by each run that
 *       read its evidence (0 once the backlog drains).
 *   <li><b>Audit-only.</b> Each candidate is logged ({@code orphan_db_sweep.proposed_reap} with its
 *       evidence) and audited ({@code orphan.candidate}, no team).
 *   <li><b>Destructive.</b> Armed, the candidate's token is read again {@code FOR SHARE} and, in
 *       that same transaction, while no change to its row can commit, the namespace is deleted
 *       through the audited chokepoint (never a raw delete), its reason the kind. A row that turned
 *       live meanwhile keeps it; a lock not granted within {@link #LOCK_TIMEOUT} keeps it too.
 * </ul>
 *
 * Unlike the original, whose provisioner could only drop a Redis namespace by token, a candidate of
 * either kind is reaped: deleting the namespace is the whole teardown of a dedicated resource.
 */
public final class OrphanDbSweep implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanDbSweep.class);

  /** How long the destructive arm waits for its token's row lock before keeping the namespace. */
  static final Duration LOCK_TIMEOUT = Duration.ofSeconds(3);

  private static final String PASS = "customer";

  /** The names this job logs and counts the steps it shares with {@code orphan_sweep} under. */
  private static final NamespaceOrphans.Vocabulary WORDS =
      new NamespaceOrphans.Vocabulary(
          "orphan_db_sweep",
          "kind",
          WorkerMetrics.ORPHAN_DB_SWEEP_SKIPPED,
          WorkerMetrics.ORPHAN_DB_SWEEP_REAPED,
          WorkerMetrics.ORPHAN_DB_SWEEP_REAP_FAILED,
          WorkerMetrics.ORPHAN_DB_SWEEP_TEARDOWN);

  private final ResourceRepository resources;
  private final Optional<StackParts> parts;
  private final OrphanDbSweepSettings settings;
  private final Clock clock;
  private final NamespaceOrphans orphans;
  private final Map<Kind, AtomicLong> current = new EnumMap<>(Kind.class);
  private final Map<Kind, Counter> seen = new EnumMap<>(Kind.class);

  /**
   * @param parts empty when Kubernetes is off: the job then skips with a WARN
   * @param grace {@code orphan_sweep}'s: nothing younger is an orphan
   */
  public OrphanDbSweep(
      Jdbi platform,
      Optional<StackParts> parts,
      AuditLog audit,
      OrphanDbSweepSettings settings,
      Duration grace,
      MeterRegistry meters,
      Clock clock) {
    this.resources = new ResourceRepository(requireNonNull(platform, "platform is null"));
    this.parts = requireNonNull(parts, "parts is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.orphans =
        new NamespaceOrphans(WORDS, LOG, audit, meters, grace, NamespaceInventory.DEFAULT_PAGE);
    for (Kind kind : Kind.values()) {
      AtomicLong gauge = new AtomicLong();
      current.put(kind, gauge);
      Gauge.builder(WorkerMetrics.ORPHAN_DB_SWEEP_CANDIDATES_CURRENT, gauge, AtomicLong::get)
          .description("Candidates the latest orphan_db_sweep run that read its evidence found")
          .tag("kind", kind.label())
          // Held by the registry, not only by this job: a gauge of a collected job reads NaN.
          .strongReference(true)
          .register(meters);
      // Registered at zero, so a dashboard shows both kinds from the start.
      seen.put(
          kind,
          Counter.builder(WorkerMetrics.ORPHAN_DB_SWEEP_CANDIDATES)
              .description("Candidates found, one per candidate per orphan_db_sweep run")
              .tag("kind", kind.label())
              .register(meters));
    }
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (!settings.enabled()) {
      LOG.debug(
          "orphan_db_sweep.disabled run_id={}: {} is off; nothing listed, read or counted",
          run.runId(),
          WorkerSettings.ENV_ORPHAN_DB_SWEEP_ENABLED);
      // A zero count: the report says why, and the run stays an idle tick (logged at DEBUG).
      return tally.add("disabled", 0).report();
    }
    if (parts.isEmpty()) {
      return orphans.skipWithoutCluster(run);
    }
    StackParts p = parts.get();
    Optional<NamespaceOrphans.Survey> survey =
        orphans.survey(
            p, PASS, NamespaceName.Kind.CUSTOMER, new Evidence(), clock.instant(), run, tally);
    if (survey.isEmpty()) {
      return tally.report();
    }
    for (Kind kind : Kind.values()) {
      long found = survey.get().orphans(kind.label());
      current.get(kind).set(found);
      seen.get(kind).increment(found);
    }
    for (NamespaceOrphans.Candidate candidate : survey.get().kept()) {
      orphans.propose(PASS, candidate, candidate.label(), survey.get(), settings.armed(), run);
      tally.add(settings.armed() ? reap(p, candidate, run) : "audit_only");
    }
    return tally.report();
  }

  /** The customer pass's evidence, and each orphan's kind from its token's ended rows. */
  private final class Evidence implements NamespaceOrphans.Evidence {
    @Override
    public Map<NamespaceName, Liveness> liveness(List<NamespaceName> names) {
      return NamespaceOrphans.customerLiveness(resources, names);
    }

    @Override
    public Map<NamespaceName, String> labels(List<NamespaceName> orphans) {
      Map<NamespaceName, ResourceToken> keys = NamespaceOrphans.customerKeys(orphans);
      Map<ResourceToken, ResourceType> ended = resources.latestEndedTypesOf(keys.values());
      Map<NamespaceName, String> labels = new HashMap<>();
      keys.forEach((name, token) ->
          labels.put(
              name, OrphanDbSweepDecision.kindOf(Optional.ofNullable(ended.get(token))).label()));
      return labels;
    }

    @Override
    public long liveRows() {
      return resources.countInStatuses(OrphanSweepDecision.LIVE_RESOURCE);
    }
  }

  /**
   * The destructive arm: the token's rows read again under lock and, while it is held, the
   * namespace deleted through the chokepoint, so a provision or change of that token's row either
   * committed first and is seen, or waits until the namespace is gone.
   */
  private String reap(StackParts p, NamespaceOrphans.Candidate candidate, JobRun run) {
    NamespaceName name = candidate.name();
    ResourceToken token = OrphanSweepDecision.customerKey(name).orElseThrow();
    AtomicReference<String> acted = new AtomicReference<>();
    try {
      return resources.withStatusesLocked(
          List.of(token),
          LOCK_TIMEOUT,
          statuses -> {
            Liveness again =
                OrphanSweepDecision.customerLiveness(Optional.ofNullable(statuses.get(token)));
            acted.set(
                again == Liveness.NO_LIVE_ROW
                    ? orphans.delete(p, PASS, name, candidate.label(), candidate.label(), run)
                    : orphans.reconfirmedLive(PASS, name, run));
            return acted.get();
          });
    } catch (RuntimeException e) {
      // After the act, only the end of a read-only transaction can fail: what was done stands.
      if (acted.get() != null) {
        return acted.get();
      }
      return orphans.reapFailed(PASS, name, candidate.label(), "recheck_error", e.toString(), run);
    }
  }
}
