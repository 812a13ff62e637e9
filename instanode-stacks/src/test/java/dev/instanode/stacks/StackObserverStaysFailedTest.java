package dev.instanode.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failed stack is not undone by a reading that is merely "deploying": a crash loop between two
 * restarts, or pods still pending after the worker failed a deploy that took too long.
 */
@EnableKubernetesMockClient(crud = true)
class StackObserverStaysFailedTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;

  KubernetesClient client;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_stays_failed"), 4);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private void crashing(StackRecord row) {
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
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
  }

  @Test
  void aFailedStackWhosePodsNowReadAsDeployingStaysFailed() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackObserver observer = new StackObserver(stacks, cluster, meters);
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    crashing(row);
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
    try (StackCluster simulated = Clusters.simulated()) {
      assertThat(new StackObserver(stacks, simulated, meters).simulated()).isTrue();
    }
  }
}
