package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.Plans;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.stacks.StackApplier;
import dev.instanode.stacks.StackObserver;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * What the standard jobs need, built by the composition root, in named groups.
 *
 * @param provisioner empty: jobs that would tear down or regrade skip with a WARN, never pretend
 * @param stacks empty when Kubernetes is off ({@code KUBERNETES_MODE=off}): the stack jobs and
 *     {@code orphan_sweep} skip with a WARN, never pretend
 */
public record WorkerDependencies(
    Platform platform,
    Optional<Provisioner> provisioner,
    Optional<StackParts> stacks,
    Plans plans,
    Telemetry telemetry) {
  public WorkerDependencies {
    requireNonNull(platform, "platform is null");
    requireNonNull(provisioner, "provisioner is null");
    requireNonNull(stacks, "stacks is null");
    requireNonNull(plans, "plans is null");
    requireNonNull(telemetry, "telemetry is null");
  }

  /**
   * The platform database and its audit trail.
   *
   * @param dataSource db-scheduler keeps {@code scheduled_tasks} here
   * @param jdbi the same database, for the repositories
   */
  public record Platform(DataSource dataSource, Jdbi jdbi, AuditLog audit) {
    public Platform {
      requireNonNull(dataSource, "dataSource is null");
      requireNonNull(jdbi, "jdbi is null");
      requireNonNull(audit, "audit is null");
    }
  }

  /**
   * A stack's lifecycle on the cluster, the same parts the api uses, over the same cluster.
   *
   * @param teardown deletes a namespace through the audited chokepoint, then the row
   * @param observer reads a stack's status from the live cluster and records it
   * @param applier applies a stack again (a plan change), never undoing a delete that ran meanwhile
   * @param cluster that cluster itself: {@code orphan_sweep} lists its tenant namespaces and reads
   *     the pods of a stuck deploy
   * @param guard the namespace rules every deletion is checked against, the teardown's own
   */
  public record StackParts(
      StackTeardown teardown,
      StackObserver observer,
      StackApplier applier,
      StackCluster cluster,
      DropGuard guard) {
    public StackParts {
      requireNonNull(teardown, "teardown is null");
      requireNonNull(observer, "observer is null");
      requireNonNull(applier, "applier is null");
      requireNonNull(cluster, "cluster is null");
      requireNonNull(guard, "guard is null");
    }
  }

  /** Where jobs count and what time it is. */
  public record Telemetry(MeterRegistry meters, Clock clock) {
    public Telemetry {
      requireNonNull(meters, "meters is null");
      requireNonNull(clock, "clock is null");
    }
  }
}
