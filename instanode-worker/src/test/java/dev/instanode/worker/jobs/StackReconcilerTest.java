package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackObjects;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.StackFixtures;
import dev.instanode.worker.testing.TestDatabases;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stack_reconciler} on real Postgres and the mock API server in CRUD mode: rows follow the
 * live cluster, a deploy that never becomes available fails after 30 minutes and not before, and a
 * cluster that cannot be read changes nothing.
 */
@EnableKubernetesMockClient(crud = true)
class StackReconcilerTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private static StackFixtures fixtures;

  KubernetesClient client;
  private SimpleMeterRegistry meters;
  private StackCluster cluster;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("stack_reconciler");
    rows = new Rows(db.jdbi());
    audit = new AuditLog(db.jdbi());
    fixtures = new StackFixtures(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    db.close();
  }

  @BeforeEach
  void clean() {
    fixtures.deleteAll();
    rows.execute("DELETE FROM audit_log");
    meters = new SimpleMeterRegistry();
    cluster = StackFixtures.over(client);
  }

  private StackReconciler reconciler(StackCluster on, Clock clock) {
    return new StackReconciler(
        db.jdbi(),
        Optional.of(StackFixtures.parts(fixtures.repository(), on, audit, meters, Set.of())),
        meters,
        clock);
  }

  private JobReport reconcile(StackCluster on, Duration ahead) {
    return reconciler(on, Clock.offset(Clock.systemUTC(), ahead))
        .run(JobRun.start("stack_reconciler"));
  }

  private JobReport reconcile() {
    return reconcile(cluster, Duration.ZERO);
  }

  private double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  /** A pod of {@code web} the scheduler has not placed: pending, not available. */
  private void pendingPod(StackRecord row) {
    client
        .pods()
        .inNamespace(row.namespace().value())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web-pending")
                .addToLabels(StackObjects.SERVICE, "web")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build())
        .create();
  }

  /** The Deployment of {@code web} reports its replica available. */
  private void available(StackRecord row) {
    client
        .apps()
        .deployments()
        .inNamespace(row.namespace().value())
        .withName("web")
        .editStatus(d ->
            new DeploymentBuilder(d)
                .editOrNewStatus()
                .withReplicas(1)
                .withReadyReplicas(1)
                .withAvailableReplicas(1)
                .endStatus()
                .build());
  }

  @Test
  void aHealthyStackWhoseNamespaceVanishedIsMarkedLost() {
    StackRecord row = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(row, StackStatus.HEALTHY);
    cluster.deleteNamespace(row.namespace());

    JobReport report = reconcile();

    assertThat(report.count("marked_lost")).isEqualTo(1);
    assertThat(fixtures.status(row)).isEqualTo(StackStatus.LOST);
    assertThat(fixtures.find(row).orElseThrow().services().getFirst().reason())
        .contains("namespace is gone");
  }

  @Test
  void aStackWhosePlanChangedHasItsQuotaAppliedAgainAtTheNewTier() {
    StackRecord row =
        fixtures.deployed(cluster, Optional.of(rows.team("pro", "active")), Optional.empty());
    fixtures.force(row, StackStatus.HEALTHY);
    String before = quotaCpu(row);
    rows.execute("UPDATE stacks SET tier = 'team' WHERE id = '" + row.id().value() + "'");

    JobReport first = reconcile();
    JobReport second = reconcile();

    assertThat(first.count("tier_reapplied")).isEqualTo(1);
    assertThat(second.count("tier_reapplied")).as("once: the namespace now says team").isZero();
    assertThat(
            client.namespaces().withName(row.namespace().value()).get().getMetadata().getLabels())
        .containsEntry(StackObjects.TIER, "team");
    assertThat(quotaCpu(row)).isNotEqualTo(before);
    assertThat(counter(WorkerMetrics.STACK_TIER_REAPPLIED)).isEqualTo(1.0);
  }

  private String quotaCpu(StackRecord row) {
    return client
        .resourceQuotas()
        .inNamespace(row.namespace().value())
        .withName("stack-quota")
        .get()
        .getSpec()
        .getHard()
        .get("limits.cpu")
        .toString();
  }

  @Test
  void aStackDeployingForOverThirtyMinutesIsFailedAndNotBeforeAndStaysFailed() {
    StackRecord row = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    pendingPod(row);

    JobReport early = reconcile(cluster, Duration.ofMinutes(29));
    assertThat(early.count("marked_failed_deploy_timeout")).isZero();
    assertThat(fixtures.status(row))
        .as("29 minutes is not over 30")
        .isEqualTo(StackStatus.DEPLOYING);

    JobReport late = reconcile(cluster, Duration.ofMinutes(31));
    assertThat(late.count("marked_failed_deploy_timeout")).isEqualTo(1);
    StackRecord failed = fixtures.find(row).orElseThrow();
    assertThat(failed.status()).isEqualTo(StackStatus.FAILED);
    assertThat(failed.services())
        .singleElement()
        .satisfies(s -> {
          assertThat(s.status()).isEqualTo("failed");
          assertThat(s.reason().orElseThrow())
              .startsWith("not available after 30m")
              .contains("0 of 1 replicas available");
        });
    assertThat(counter("instant_stack_deploy_timed_out_total")).isEqualTo(1.0);

    JobReport again = reconcile(cluster, Duration.ofMinutes(32));
    assertThat(fixtures.status(row))
        .as("still not available: failed stays failed, no flapping back to deploying")
        .isEqualTo(StackStatus.FAILED);
    assertThat(again.count("unchanged")).isEqualTo(1);
    assertThat(counter("instant_stack_deploy_timed_out_total")).isEqualTo(1.0);

    available(row);
    JobReport recovered = reconcile(cluster, Duration.ofMinutes(33));
    assertThat(recovered.count("marked_healthy")).isEqualTo(1);
    assertThat(fixtures.status(row)).isEqualTo(StackStatus.HEALTHY);
  }

  @Test
  void aDeadlineCountsFromTheLastApplyNotFromCreation() {
    StackRecord row = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    // Created an hour ago, redeployed (deploying again) five minutes ago.
    rows.execute(
        "UPDATE stacks SET created_at = now() - interval '1 hour',"
            + " updated_at = now() - interval '5 minutes' WHERE id = ?",
        row.id().value());

    reconcile(cluster, Duration.ofMinutes(20));
    assertThat(fixtures.status(row)).isEqualTo(StackStatus.DEPLOYING);
    reconcile(cluster, Duration.ofMinutes(26));
    assertThat(fixtures.status(row)).isEqualTo(StackStatus.FAILED);
  }

  @Test
  void aSimulatedClusterIsNeverFailedForTakingLong() {
    try (StackCluster simulated = Clusters.simulated(Installation.UNNAMED)) {
      StackRecord row = fixtures.deployed(simulated, Optional.empty(), Optional.empty());

      JobReport report = reconcile(simulated, Duration.ofHours(2));

      assertThat(report.count("marked_failed_deploy_timeout")).isZero();
      assertThat(fixtures.status(row)).isEqualTo(StackStatus.DEPLOYING);
      assertThat(fixtures.find(row).orElseThrow().services().getFirst().reason())
          .hasValueSatisfying(r -> assertThat(r).contains("simulated"));
    }
  }

  @Test
  void anUnreachableClusterChangesNoRow() {
    StackRecord healthy = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(healthy, StackStatus.HEALTHY);
    StackRecord stuck = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(stuck, StackStatus.DEPLOYING, Instant.now().minus(Duration.ofHours(2)));
    List<StackRecord> before =
        List.of(fixtures.find(healthy).orElseThrow(), fixtures.find(stuck).orElseThrow());

    JobReport report;
    try (StackCluster down = StackFixtures.unreachable(client)) {
      report = reconcile(down, Duration.ZERO);
    }

    assertThat(report.count("cluster_unavailable")).isEqualTo(2);
    assertThat(report.count("marked_failed_deploy_timeout")).isZero();
    assertThat(fixtures.find(healthy)).contains(before.get(0));
    assertThat(fixtures.find(stuck)).contains(before.get(1));
    assertThat(counter("instant_stack_reconcile_failed_total", "step", "cluster_unavailable"))
        .isEqualTo(2.0);
  }

  @Test
  void aClusterThatFailsStackAfterStackCutsThePassShort() {
    for (int i = 0; i < StackReconciler.CLUSTER_STRIKES + 2; i++) {
      fixtures.force(
          fixtures.deployed(cluster, Optional.empty(), Optional.empty()), StackStatus.HEALTHY);
    }

    JobReport report;
    try (StackCluster down = StackFixtures.unreachable(client)) {
      report = reconcile(down, Duration.ZERO);
    }

    assertThat(report.count("cluster_unavailable")).isEqualTo(StackReconciler.CLUSTER_STRIKES);
    assertThat(report.count("pass_cut_short")).isEqualTo(1);
    assertThat(fixtures.repository().countByStatus())
        .containsEntry(StackStatus.HEALTHY, (long) StackReconciler.CLUSTER_STRIKES + 2);
  }

  @Test
  void oneStacksFailureNeverStopsThePass() {
    List<StackRecord> vanished = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      StackRecord row = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
      fixtures.force(row, StackStatus.HEALTHY);
      cluster.deleteNamespace(row.namespace());
      vanished.add(row);
    }
    StackRecord broken = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    StackRecord brokenBefore = fixtures.force(broken, StackStatus.HEALTHY);
    cluster.deleteNamespace(broken.namespace());
    StackRecord unread = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    StackRecord unreadBefore = fixtures.force(unread, StackStatus.HEALTHY);
    cluster.deleteNamespace(unread.namespace());
    StackCluster flaky =
        StackFixtures.failingFor(
            StackFixtures.failingFor(
                cluster, broken.namespace(), new IllegalStateException("a bug in one row")),
            unread.namespace(),
            StackFixtures.clusterDown());

    JobReport report = reconcile(flaky, Duration.ZERO);

    assertThat(report.count("error")).isEqualTo(1);
    assertThat(report.count("cluster_unavailable")).isEqualTo(1);
    assertThat(report.count("marked_lost")).isEqualTo(3);
    for (StackRecord row : vanished) {
      assertThat(fixtures.status(row)).isEqualTo(StackStatus.LOST);
    }
    assertThat(fixtures.find(broken)).contains(brokenBefore);
    assertThat(fixtures.find(unread)).contains(unreadBefore);
  }

  @Test
  void theGaugeHasOneSeriesPerStatusSetFromTheTable() {
    StackRecord deploying = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    StackRecord healthy = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    available(healthy);
    fixtures.force(healthy, StackStatus.HEALTHY);
    StackRecord lost = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(lost, StackStatus.HEALTHY);
    cluster.deleteNamespace(lost.namespace());
    StackRecord failed = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(failed, StackStatus.FAILED);
    StackRecord deleting = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(deleting, StackStatus.DELETING);

    StackReconciler job = reconciler(cluster, Clock.systemUTC());
    assertThat(meters.find("instant_stacks").gauges()).hasSize(StackStatus.values().length);
    assertThat(gauge("lost")).as("nothing measured before the first pass").isZero();

    job.run(JobRun.start("stack_reconciler"));

    assertThat(gauge("deploying")).isEqualTo(1.0);
    assertThat(gauge("healthy")).isEqualTo(1.0);
    assertThat(gauge("lost")).as("observed in this pass").isEqualTo(1.0);
    assertThat(gauge("failed")).isEqualTo(1.0);
    assertThat(gauge("deleting")).as("still in its grace").isEqualTo(1.0);
    assertThat(List.of(deploying, healthy, lost, failed, deleting))
        .extracting(fixtures::status)
        .containsExactly(
            StackStatus.DEPLOYING,
            StackStatus.HEALTHY,
            StackStatus.LOST,
            StackStatus.FAILED,
            StackStatus.DELETING);

    fixtures.deleteAll();
    job.run(JobRun.start("stack_reconciler"));
    for (StackStatus status : StackStatus.values()) {
      assertThat(gauge(status.wireName())).as(status.wireName()).isZero();
    }
  }

  private double gauge(String status) {
    Gauge g = meters.find("instant_stacks").tag("status", status).gauge();
    assertThat(g).as("instant_stacks{status=%s}", status).isNotNull();
    return g.value();
  }
}
