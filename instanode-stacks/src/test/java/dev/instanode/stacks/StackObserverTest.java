package dev.instanode.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackHealth;
import dev.instanode.cluster.StackObjects;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Status comes from the live cluster, and the row follows it; a failed read changes nothing. */
@EnableKubernetesMockClient(crud = true)
class StackObserverTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;

  KubernetesClient client;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_observer"), 4);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private void stuck(StackRecord row, String reason) {
    client
        .pods()
        .inNamespace(row.namespace().value())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web-1")
                .addToLabels(StackObjects.SERVICE, "web")
                .endMetadata()
                .withNewStatus()
                .addNewContainerStatus()
                .withName("web")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
  }

  @Test
  void aPodStuckPullingItsImageFailsTheStackAndTheRowSaysWhy() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    stuck(row, "ImagePullBackOff");

    StackHealth.Verdict verdict = new StackObserver(stacks, cluster, meters).observe(row);

    assertThat(verdict.state()).isEqualTo(StackHealth.State.FAILED);
    StackRecord after = stacks.findBySlug(row.slug()).orElseThrow();
    assertThat(after.status()).isEqualTo(StackStatus.FAILED);
    assertThat(after.services().getFirst().reason()).contains("ImagePullBackOff");
  }

  @Test
  void aVanishedNamespaceIsLostAndCounted() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord deployed = TestStacks.deployed(db, AES, cluster);
    stacks.recordLiveStatus(deployed.id(), StackStatus.HEALTHY, List.of());
    StackRecord row = stacks.findBySlug(deployed.slug()).orElseThrow();
    cluster.deleteNamespace(row.namespace());

    new StackObserver(stacks, cluster, meters).observe(row);

    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status()).isEqualTo(StackStatus.LOST);
    assertThat(meters.counter(StackObserver.LOST_METRIC).count()).isEqualTo(1.0);
  }

  @Test
  void aDeployingStackWhoseApplyHasNotMadeItsNamespaceYetIsNotLost() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    cluster.deleteNamespace(row.namespace());

    StackHealth.Verdict verdict = new StackObserver(stacks, cluster, meters).observe(row);

    assertThat(verdict.state()).isEqualTo(StackHealth.State.DEPLOYING);
    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DEPLOYING);
    assertThat(meters.counter(StackObserver.LOST_METRIC).count()).isZero();
  }

  @Test
  void aSimulatedClusterKeepsTheStackDeployingNeverHealthy() {
    try (StackCluster simulated = Clusters.simulated(Installation.UNNAMED)) {
      StackRecord row = TestStacks.deployed(db, AES, simulated);
      assertThat(new StackObserver(stacks, simulated, meters).observe(row).state())
          .isEqualTo(StackHealth.State.DEPLOYING);
      assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
          .isEqualTo(StackStatus.DEPLOYING);
    }
  }

  @Test
  void aClusterReadFailureChangesNothing() {
    StackCluster up = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, up);
    try (StackCluster down = TestStacks.unreachable(client)) {
      assertThatThrownBy(() -> new StackObserver(stacks, down, meters).observe(row))
          .isInstanceOf(ClusterUnavailableException.class);
    }
    assertThat(stacks.findBySlug(row.slug()).orElseThrow()).isEqualTo(row);
  }

  @Test
  void aDeletingRowIsLeftToItsTeardown() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    StackRecord deleting = stacks.markDeleting(row.slug(), Optional.empty()).orElseThrow();
    cluster.deleteNamespace(row.namespace());

    new StackObserver(stacks, cluster, meters).observe(deleting);

    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DELETING);
  }

  @Test
  void aFailedStackWhosePodsNowReadAsDeployingStaysFailed() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackObserver observer = new StackObserver(stacks, cluster, meters);
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    stuck(row, "CrashLoopBackOff");
    observer.observe(row);
    StackRecord failed = stacks.findBySlug(row.slug()).orElseThrow();
    assertThat(failed.status()).isEqualTo(StackStatus.FAILED);

    // Between two restarts the crashing container is not waiting: the reading is "deploying".
    client.pods().inNamespace(row.namespace().value()).withName("web-1").delete();
    StackHealth.Verdict verdict = observer.observe(failed);

    assertThat(verdict.state()).isEqualTo(StackHealth.State.FAILED);
    assertThat(verdict.services())
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).contains("CrashLoopBackOff"));
    assertThat(stacks.findBySlug(row.slug()).orElseThrow()).isEqualTo(failed);
  }

  @Test
  void aFailedStackWhoseNamespaceVanishedIsStillLost() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    stacks.recordLiveStatus(row.id(), StackStatus.FAILED, List.of());
    cluster.deleteNamespace(row.namespace());

    new StackObserver(stacks, cluster, meters).observe(stacks.findBySlug(row.slug()).orElseThrow());

    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status()).isEqualTo(StackStatus.LOST);
  }

  @Test
  void theObserverSaysWhetherItsClusterIsSimulated() {
    assertThat(
            new StackObserver(stacks, new Fabric8StackCluster(client, false, () -> {}), meters)
                .simulated())
        .isFalse();
    try (StackCluster simulated = Clusters.simulated(Installation.UNNAMED)) {
      assertThat(new StackObserver(stacks, simulated, meters).simulated()).isTrue();
    }
  }
}
