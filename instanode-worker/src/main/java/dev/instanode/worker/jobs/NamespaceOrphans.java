package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.Chokepoint;
import dev.instanode.chokepoint.DestructionRefusedException;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.TenantNamespace;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DurationText;
import dev.instanode.core.Masking;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDestructionAudit;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.decision.OrphanSweepDecision;
import dev.instanode.worker.decision.OrphanSweepDecision.Liveness;
import dev.instanode.worker.decision.OrphanSweepDecision.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The steps every orphan pass over tenant namespaces takes the same way, whichever job runs it
 * ({@code orphan_sweep}'s stacks and customer passes, {@code orphan_db_sweep}); each job names its
 * own log lines and metrics ({@link Vocabulary}) and decides when to reap.
 *
 * <ul>
 *   <li><b>{@link #survey}</b>: every page of the namespace list is read, and the evidence for that
 *       page read after it (so a row committed between the two reads is seen), before anything is
 *       acted on. A list or database read that fails anywhere skips the pass: one WARN, the job's
 *       skip counter, zero deletions. An empty set that came from an error is never a verdict.
 *       Nothing younger than the grace, of unreadable age, not labelled ours or already terminating
 *       is a candidate ({@link OrphanSweepDecision#classify}).
 *   <li><b>{@link #propose}</b>: each candidate is logged ({@code <job>.proposed_reap}, with its
 *       evidence) and audited ({@code orphan.candidate}, no team: namespaces are cluster-scoped).
 *   <li><b>{@link #delete}</b>: the namespace is deleted through the audited {@link Chokepoint} and
 *       the teardown's own {@code DropGuard} ({@code deprovision.*} rows, no team); a namespace
 *       already gone is no failure.
 * </ul>
 */
final class NamespaceOrphans {
  /**
   * Candidates acted on (audited, and reaped when destructive) per pass: a bounded blast radius.
   */
  static final int REAP_LIMIT = 100;

  /**
   * A job's own names for what these steps log and count.
   *
   * @param job the log lines' prefix
   * @param labelKey the tag (and audit field) the candidate's bounded label goes under
   * @param skipped counter, tagged {@code pass} and {@code reason}
   * @param reaped counter, tagged {@code labelKey}
   * @param reapFailed counter, tagged {@code labelKey}
   * @param teardown the chokepoint's counter
   */
  record Vocabulary(
      String job,
      String labelKey,
      String skipped,
      String reaped,
      String reapFailed,
      String teardown) {}

  /** What a pass reads from the platform database about the namespaces it lists. */
  interface Evidence {
    /** The liveness of each of {@code names}, read now. */
    Map<NamespaceName, Liveness> liveness(List<NamespaceName> names);

    /** The bounded label (reason, kind) of each of a page's orphans, read after its verdicts. */
    Map<NamespaceName, String> labels(List<NamespaceName> orphans);

    /** The size of the live set the namespaces are checked against. */
    long liveRows();
  }

  /** A namespace judged an orphan, with its age when judged and its label. */
  record Candidate(NamespaceName name, Duration age, String label) {}

  /** What one pass's list and evidence reads found; only the first candidates are kept. */
  static final class Survey {
    private final Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
    private final Map<String, Long> orphans = new HashMap<>();
    private final List<Candidate> kept = new ArrayList<>();
    private long liveRows;

    long count(Verdict verdict) {
      return verdicts.getOrDefault(verdict, 0L);
    }

    /** Every orphan found with this label, kept or not. */
    long orphans(String label) {
      return orphans.getOrDefault(label, 0L);
    }

    List<Candidate> kept() {
      return List.copyOf(kept);
    }

    /** The size of the live set in the database. */
    long liveRows() {
      return liveRows;
    }

    /**
     * How many listed namespaces that live set names (zero while rows exist is what seed 000's
     * keying bug looked like).
     */
    long liveNamespaces() {
      return count(Verdict.LIVE);
    }
  }

  /** A database read inside the list's page callback failed: the pass's evidence is unreadable. */
  private static final class EvidenceUnreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvidenceUnreadable(RuntimeException cause) {
      super(cause);
    }
  }

  private final Vocabulary words;
  private final Logger log;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Duration grace;
  private final int pageSize;

  /**
   * @param log the job's own logger
   * @param grace nothing younger than this is an orphan
   */
  NamespaceOrphans(
      Vocabulary words,
      Logger log,
      AuditLog audit,
      MeterRegistry meters,
      Duration grace,
      int pageSize) {
    this.words = requireNonNull(words, "words is null");
    this.log = requireNonNull(log, "log is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.grace = requireNonNull(grace, "grace is null");
    this.pageSize = pageSize;
  }

  /**
   * The liveness of customer namespaces: live while their token has a row in {@link
   * OrphanSweepDecision#LIVE_RESOURCE}; a name that carries no token is {@link Liveness#UNKEYED}.
   */
  static Map<NamespaceName, Liveness> customerLiveness(
      ResourceRepository resources, List<NamespaceName> names) {
    Map<NamespaceName, ResourceToken> keys = customerKeys(names);
    Map<ResourceToken, ResourceStatus> statuses = resources.statusesOf(keys.values());
    Map<NamespaceName, Liveness> liveness = new HashMap<>();
    for (NamespaceName n : names) {
      liveness.put(
          n,
          keys.containsKey(n)
              ? OrphanSweepDecision.customerLiveness(Optional.ofNullable(statuses.get(keys.get(n))))
              : Liveness.UNKEYED);
    }
    return liveness;
  }

  /** The token each of {@code names} carries; a name that carries none is absent. */
  static Map<NamespaceName, ResourceToken> customerKeys(List<NamespaceName> names) {
    Map<NamespaceName, ResourceToken> keys = new HashMap<>();
    names.forEach(n -> OrphanSweepDecision.customerKey(n).ifPresent(k -> keys.put(n, k)));
    return keys;
  }

  /**
   * Every page of {@code kind}'s namespaces classified against {@code evidence}, with the verdicts
   * tallied as {@code <pass>_<verdict>}; empty when the list or a read failed (the pass is then
   * skipped: WARN, counter, tally).
   */
  Optional<Survey> survey(
      StackParts parts,
      String pass,
      NamespaceName.Kind kind,
      Evidence evidence,
      Instant now,
      JobRun run,
      JobReport.Tally tally) {
    Survey survey = new Survey();
    try {
      parts
          .cluster()
          .eachNamespacePage(kind, pageSize, page -> surveyPage(evidence, page, now, survey));
    } catch (EvidenceUnreadable e) {
      skip(pass, "db_read_error", (RuntimeException) e.getCause(), run, tally);
      return Optional.empty();
    } catch (RuntimeException e) {
      // ClusterUnavailableException, or anything else the list threw: the list is incomplete.
      skip(pass, "namespace_list_error", e, run, tally);
      return Optional.empty();
    }
    try {
      survey.liveRows = evidence.liveRows();
    } catch (RuntimeException e) {
      skip(pass, "db_read_error", e, run, tally);
      return Optional.empty();
    }
    survey.verdicts.forEach(
        (verdict, n) -> tally.add(pass + "_" + verdict.name().toLowerCase(Locale.ROOT), n));
    if (survey.count(Verdict.AGE_UNKNOWN) > 0 || survey.count(Verdict.NOT_OURS) > 0) {
      log.info(
          "{}.left_alone pass={} age_unknown={} not_ours={} run_id={}: never reaped; a person"
              + " should look",
          words.job(),
          pass,
          survey.count(Verdict.AGE_UNKNOWN),
          survey.count(Verdict.NOT_OURS),
          run.runId());
    }
    long orphans = survey.count(Verdict.ORPHAN);
    if (orphans > survey.kept.size()) {
      log.info(
          "{}.over_limit pass={} candidates={} acted_on={} run_id={}: the rest wait for the next"
              + " pass",
          words.job(),
          pass,
          orphans,
          survey.kept.size(),
          run.runId());
    }
    return Optional.of(survey);
  }

  /** One page: its evidence read now (after the page was listed), then each name classified. */
  private void surveyPage(
      Evidence evidence, List<TenantNamespace> page, Instant now, Survey survey) {
    Map<NamespaceName, Liveness> liveness =
        read(() -> evidence.liveness(page.stream().map(TenantNamespace::name).toList()));
    List<TenantNamespace> orphans = new ArrayList<>();
    for (TenantNamespace ns : page) {
      Verdict verdict =
          OrphanSweepDecision.classify(
              new OrphanSweepDecision.Listed(
                  ns.name(), ns.createdAt(), ns.ours(), ns.terminating()),
              liveness.get(ns.name()),
              now,
              grace);
      survey.verdicts.merge(verdict, 1L, Long::sum);
      if (verdict == Verdict.ORPHAN) {
        orphans.add(ns);
      }
    }
    if (orphans.isEmpty()) {
      return;
    }
    Map<NamespaceName, String> labels =
        read(() -> evidence.labels(orphans.stream().map(TenantNamespace::name).toList()));
    for (TenantNamespace ns : orphans) {
      String label = requireNonNull(labels.get(ns.name()), "no label for an orphan");
      survey.orphans.merge(label, 1L, Long::sum);
      if (survey.kept.size() < REAP_LIMIT) {
        survey.kept.add(
            new Candidate(ns.name(), Duration.between(ns.createdAt().orElseThrow(), now), label));
      }
    }
  }

  private static <T> T read(Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      throw new EvidenceUnreadable(e);
    }
  }

  /**
   * Logs {@code <job>.proposed_reap} with the candidate's evidence and audits it ({@code
   * orphan.candidate}, no team).
   *
   * @param resourceType the audit row's bounded {@code resource_type}
   * @param destructive whether it is reaped next
   */
  void propose(
      String pass,
      Candidate candidate,
      String resourceType,
      Survey evidence,
      boolean destructive,
      JobRun run) {
    log.info(
        "{}.proposed_reap pass={} namespace={} age={} {}={} live_set_size={} live_namespaces={}"
            + " destructive={} run_id={}",
        words.job(),
        pass,
        candidate.name().masked(),
        DurationText.format(candidate.age().withNanos(0)),
        words.labelKey(),
        candidate.label(),
        evidence.liveRows(),
        evidence.liveNamespaces(),
        destructive,
        run.runId());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("job", run.job());
    metadata.put("pass", pass);
    metadata.put("namespace", candidate.name().masked());
    metadata.put(words.labelKey(), candidate.label());
    metadata.put("age_seconds", candidate.age().toSeconds());
    metadata.put("live_set_size", evidence.liveRows());
    metadata.put("live_namespaces", evidence.liveNamespaces());
    metadata.put("destructive", destructive);
    if (!destructive
        && auditedToday(
            candidate.name().masked() + " " + run.job(), metadata, AuditKind.ORPHAN_CANDIDATE)) {
      // Audit-only, a standing orphan is found every pass: its row is written once a day, while
      // the log line and the gauge say it every pass.
      return;
    }
    audit.write(
        new AuditEvent(
            Optional.empty(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.ORPHAN_CANDIDATE,
            Optional.of(resourceType),
            Optional.empty(),
            destructive
                ? "Orphaned namespace found; reaping it"
                : "Orphaned namespace found; audit-only, nothing deleted",
            metadata,
            Optional.of(run.requestId().value())));
  }

  /** Marks the metadata with {@code seen} and says whether a row so marked was written today. */
  private boolean auditedToday(String seen, Map<String, Object> metadata, AuditKind kind) {
    metadata.put("candidate", seen);
    try {
      return audit.recentlyRecorded(kind, "candidate", seen, Duration.ofDays(1));
    } catch (RuntimeException e) {
      return false; // unsure: write it again
    }
  }

  /**
   * Deletes the namespace through the audited chokepoint, its reason the candidate's label; the
   * caller has just read its key again. Returns the tally key: {@code reaped}, {@code
   * reap_already_gone} or {@code reap_failed_<step>}.
   */
  String delete(
      StackParts parts,
      String pass,
      NamespaceName name,
      String resourceType,
      String label,
      JobRun run) {
    AtomicBoolean existed = new AtomicBoolean();
    Chokepoint chokepoint =
        new Chokepoint(
            parts.guard(),
            new PlatformDestructionAudit(audit, Optional.empty()),
            meters,
            words.teardown(),
            e -> e instanceof ClusterUnavailableException ? "cluster_unavailable" : "error");
    try {
      chokepoint.destroy(
          new Teardown(
              resourceType,
              "kubernetes",
              List.of(name),
              label,
              run.requestId(),
              () -> existed.set(parts.cluster().deleteNamespace(name))));
    } catch (DestructionRefusedException e) {
      return reapFailed(pass, name, label, "refused", e.getMessage(), run);
    } catch (RuntimeException e) {
      return reapFailed(pass, name, label, "teardown_failed", e.toString(), run);
    }
    if (!existed.get()) {
      log.info(
          "{}.already_gone pass={} namespace={} run_id={}",
          words.job(),
          pass,
          name.masked(),
          run.runId());
      return "reap_already_gone";
    }
    count(meters, words.reaped(), words.labelKey(), label);
    log.warn(
        "{}.reaped pass={} namespace={} {}={} run_id={}",
        words.job(),
        pass,
        name.masked(),
        words.labelKey(),
        label,
        run.runId());
    return "reaped";
  }

  /** A row names the candidate now (recorded after its page's evidence was read): it is kept. */
  String reconfirmedLive(String pass, NamespaceName name, JobRun run) {
    log.info(
        "{}.reconfirm_live pass={} namespace={} run_id={}: a row names it now; kept",
        words.job(),
        pass,
        name.masked(),
        run.runId());
    return "reconfirm_live";
  }

  String reapFailed(
      String pass, NamespaceName name, String label, String step, String why, JobRun run) {
    count(meters, words.reapFailed(), words.labelKey(), label);
    log.warn(
        "{}.reap_failed pass={} namespace={} step={} run_id={} why={}: kept",
        words.job(),
        pass,
        name.masked(),
        step,
        run.runId(),
        Masking.scrubUrls(String.valueOf(why)));
    return "reap_failed_" + step;
  }

  /** A pass whose evidence could not be read decides nothing: one WARN, counted, tallied. */
  void skip(String pass, String reason, RuntimeException e, JobRun run, JobReport.Tally tally) {
    count(meters, words.skipped(), "pass", pass, "reason", reason);
    log.warn(
        "{}.skipped pass={} reason={} run_id={} error={}: its evidence could not be read, nothing"
            + " was decided",
        words.job(),
        pass,
        reason,
        run.runId(),
        Masking.scrubUrls(e.toString()));
    tally.add("skipped_" + pass + "_" + reason);
  }

  /** Kubernetes is off ({@code KUBERNETES_MODE=off}): there is no namespace to sweep. */
  JobReport skipWithoutCluster(JobRun run) {
    log.warn(
        "{}.skipped reason=no_cluster run_id={}: Kubernetes is off, no namespace is swept",
        words.job(),
        run.runId());
    count(meters, words.skipped(), "pass", "all", "reason", "no_cluster");
    return new JobReport.Tally().add("skipped_no_cluster").report();
  }
}
