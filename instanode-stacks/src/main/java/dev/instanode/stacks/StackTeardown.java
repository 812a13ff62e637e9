package dev.instanode.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.Chokepoint;
import dev.instanode.chokepoint.DestructionRefusedException;
import dev.instanode.chokepoint.DropGuard;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.Masking;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDestructionAudit;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting a stack, teardown before bookkeeping: under the row lock the row becomes {@code
 * deleting} and commits; the namespace is deleted through the audited chokepoint (a namespace
 * already gone is success); only then is the row deleted. A failure in between leaves a {@code
 * deleting} row, which {@link #finish} completes later. A namespace the guard refuses is never
 * deleted, and its row is kept.
 */
public final class StackTeardown {
  private static final Logger LOG = LoggerFactory.getLogger(StackTeardown.class);
  static final String METRIC = "instant_stack_teardown_total";

  private final StackRepository stacks;
  private final StackCluster cluster;
  private final DropGuard guard;
  private final AuditLog audit;
  private final MeterRegistry meters;

  public StackTeardown(
      StackRepository stacks,
      StackCluster cluster,
      DropGuard guard,
      AuditLog audit,
      MeterRegistry meters) {
    this.stacks = requireNonNull(stacks, "stacks is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.guard = requireNonNull(guard, "guard is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
  }

  /** What became of a teardown. */
  public sealed interface Outcome {
    record Deleted() implements Outcome {}

    record NotFound() implements Outcome {}

    /** The namespace could not be deleted now; the row stays {@code deleting} for a retry. */
    record Retry(String why) implements Outcome {}

    /** The guard refused the namespace; nothing was deleted and the row is kept. */
    record Refused(String why) implements Outcome {}
  }

  /** {@code DELETE /stacks/{slug}}: only {@code team}'s stack, or an anonymous one if empty. */
  public Outcome delete(StackSlug slug, Optional<TeamId> team, String reason, RequestId requestId) {
    Optional<StackRecord> deleting = stacks.markDeleting(slug, team);
    if (deleting.isEmpty()) {
      return new Outcome.NotFound();
    }
    return finish(deleting.get(), reason, requestId);
  }

  /** Deletes the namespace of a {@code deleting} row, then the row. Idempotent. */
  public Outcome finish(StackRecord row, String reason, RequestId requestId) {
    Outcome outcome = deleteNamespace(row, reason, requestId);
    if (!(outcome instanceof Outcome.Deleted)) {
      return outcome;
    }
    stacks.deleteTornDown(row.id());
    LOG.info("stack.deleted slug={} reason={} request_id={}", row.slug(), reason, requestId);
    return outcome;
  }

  /**
   * Deletes, through the chokepoint, the namespace an apply made again after its stack's delete had
   * begun or ended (the apply read the row before the delete and created after it). The row is not
   * touched: a delete in flight finishes it.
   */
  public Outcome deleteAfterLateApply(StackRecord row, RequestId requestId) {
    return deleteNamespace(row, "late_apply", requestId);
  }

  private Outcome deleteNamespace(StackRecord row, String reason, RequestId requestId) {
    NamespaceName namespace = row.namespace();
    // The row's own namespace and nothing else: never a name read from anywhere but its slug.
    if (!namespace.equals(NamespaceName.forStack(row.slug()))) {
      return refused(row, "the namespace is not the slug's", requestId);
    }
    Chokepoint chokepoint =
        new Chokepoint(
            guard,
            new PlatformDestructionAudit(audit, row.team()),
            meters,
            METRIC,
            e -> e instanceof ClusterUnavailableException ? "cluster_unavailable" : "error");
    try {
      chokepoint.destroy(
          new Teardown(
              "stack",
              "kubernetes",
              List.of(namespace),
              reason,
              requestId,
              () -> cluster.deleteNamespace(namespace)));
    } catch (DestructionRefusedException e) {
      return refused(row, e.getMessage(), requestId);
    } catch (RuntimeException e) {
      // Unaudited, cluster unreachable, or anything else: nothing is known to be gone.
      LOG.warn(
          "stack.teardown_retry slug={} request_id={} error={}: row kept deleting",
          row.slug(),
          requestId,
          Masking.scrubUrls(e.toString()));
      return new Outcome.Retry(e.getMessage());
    }
    return new Outcome.Deleted();
  }

  private Outcome refused(StackRecord row, String why, RequestId requestId) {
    meters.counter("instant_stack_teardown_refused_total").increment();
    LOG.warn(
        "stack.teardown_refused slug={} namespace={} why={} request_id={}: row kept",
        row.slug(),
        row.namespace(),
        why,
        requestId);
    return new Outcome.Refused(why);
  }
}
