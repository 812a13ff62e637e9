package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode: what is applied is what is read back. */
@EnableKubernetesMockClient(crud = true)
class StackClusterTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private StackCluster cluster;
  private final StackSlug slug = StackSlug.random();

  @BeforeEach
  void setUp() {
    cluster = new Fabric8StackCluster(client, false, () -> {});
  }

  private StackSpec stack(Map<String, String> webEnv) {
    return new StackSpec(
        slug,
        Optional.of("team-1"),
        "hobby",
        new StackQuota(2000, 2048, 10, 500, 512),
        List.of(
            new ServiceSpec("web", "nginx:1.27", 8080, true, webEnv),
            new ServiceSpec("worker", "busybox:1.36", 9000, false, Map.of())),
        "stacks.example.dev");
  }

  @Test
  void whatAnInstallationMakesCarriesItsIdAndOnlyThatCountsAsItsOwnInAListing() {
    StackCluster mine =
        new Fabric8StackCluster(client, false, () -> {}, new Installation("prod-1"));
    StackCluster theirs =
        new Fabric8StackCluster(client, false, () -> {}, new Installation("staging-2"));
    mine.apply(stack(Map.of()));
    String ns = NamespaceName.forStack(slug).value();
    assertThat(client.namespaces().withName(ns).get().getMetadata().getLabels())
        .containsEntry(Installation.LABEL, "prod-1");
    List<TenantNamespace> seenByMine = new ArrayList<>();
    mine.eachNamespacePage(NamespaceName.Kind.STACK, 10, seenByMine::addAll);
    List<TenantNamespace> seenByTheirs = new ArrayList<>();
    theirs.eachNamespacePage(NamespaceName.Kind.STACK, 10, seenByTheirs::addAll);
    assertThat(seenByMine).singleElement().satisfies(n -> assertThat(n.ours()).isTrue());
    assertThat(seenByTheirs).singleElement().satisfies(n -> assertThat(n.ours()).isFalse());
  }

  @Test
  void applyMakesTheLabelledNamespaceAndEveryObjectAndAgainChangesNothing() {
    StackSpec spec = stack(Map.of("DATABASE_URL", "postgres://u:p@h/db"));
    cluster.apply(spec);
    String ns = NamespaceName.forStack(slug).value();
    Namespace namespace = client.namespaces().withName(ns).get();
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "instanode")
        .containsEntry("instanode.dev/stack-slug", slug.value())
        .containsEntry("instanode.dev/owner", "team-1");
    assertThat(client.resourceQuotas().inNamespace(ns).withName("stack-quota").get()).isNotNull();
    assertThat(client.limitRanges().inNamespace(ns).withName("stack-limits").get()).isNotNull();
    assertThat(
            client.network().v1().networkPolicies().inNamespace(ns).withName("default-deny").get())
        .isNotNull();
    assertThat(client.secrets().inNamespace(ns).withName("web-env").get().getStringData())
        .containsEntry("DATABASE_URL", "postgres://u:p@h/db");
    assertThat(client.services().inNamespace(ns).list().getItems()).hasSize(2);
    assertThat(client.network().v1().ingresses().inNamespace(ns).list().getItems())
        .singleElement()
        .satisfies(i ->
            assertThat(i.getSpec().getRules().getFirst().getHost())
                .isEqualTo("web-" + slug.value() + ".stacks.example.dev"));

    Deployment web = client.apps().deployments().inNamespace(ns).withName("web").get();
    var pod = web.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().getFirst();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getEnv()).as("values travel in the Secret only").isNullOrEmpty();
    String digest =
        web.getSpec().getTemplate().getMetadata().getAnnotations().get(StackObjects.ENV_DIGEST);

    cluster.apply(spec);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(StackObjects.ENV_DIGEST))
        .as("the same env does not roll the service")
        .isEqualTo(digest);

    cluster.apply(stack(Map.of("DATABASE_URL", "postgres://u:p@h/other")));
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(StackObjects.ENV_DIGEST))
        .as("a changed env rolls it")
        .isNotEqualTo(digest);
  }

  @Test
  void readShowsEachServiceAndWhyItsPodsWait() {
    cluster.apply(stack(Map.of()));
    String ns = NamespaceName.forStack(slug).value();
    Pod stuck =
        new PodBuilder()
            .withNewMetadata()
            .withName("worker-1")
            .addToLabels(StackObjects.SERVICE, "worker")
            .endMetadata()
            .withNewStatus()
            .addNewContainerStatus()
            .withName("worker")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    client.pods().inNamespace(ns).resource(stuck).create();

    LiveStack live = cluster.read(NamespaceName.forStack(slug)).orElseThrow();

    assertThat(live.services())
        .extracting(LiveService::name)
        .containsExactlyInAnyOrder("web", "worker");
    assertThat(live.services())
        .filteredOn(s -> s.name().equals("worker"))
        .singleElement()
        .satisfies(s -> assertThat(s.waitingReasons()).containsExactly("ImagePullBackOff"));
    assertThat(StackHealth.of(Optional.of(live), List.of("web", "worker"), false).state())
        .isEqualTo(StackHealth.State.FAILED);
  }

  @Test
  void aServiceWithNoPodHasNoLogsToFollow() {
    cluster.apply(stack(Map.of()));
    assertThat(cluster.followLogs(NamespaceName.forStack(slug), "web", line -> {}, () -> {}))
        .isEmpty();
  }

  @Test
  void aMissingNamespaceReadsAsEmptyAndDeletingIsIdempotent() {
    NamespaceName ns = NamespaceName.forStack(slug);
    assertThat(cluster.read(ns)).isEmpty();
    cluster.apply(stack(Map.of()));
    assertThat(cluster.read(ns)).isPresent();
    assertThat(cluster.read(ns).orElseThrow().tier())
        .as("the tier its quota was applied at, so a plan change can be seen to be pending")
        .contains("hobby");

    assertThat(cluster.deleteNamespace(ns)).isTrue();
    assertThat(cluster.read(ns)).isEmpty();
    assertThat(cluster.deleteNamespace(ns)).as("already gone is success").isFalse();
  }

  @Test
  void aClusterThatCannotBeReadIsUnavailableNeverEmpty() {
    StackCluster bounded =
        new Fabric8StackCluster(
            new KubernetesClientBuilder()
                .withConfig(Clusters.bounded(client.getConfiguration()))
                .build(),
            false,
            () -> {});
    server.destroy();
    assertThatThrownBy(() -> bounded.read(NamespaceName.forStack(slug)))
        .isInstanceOf(ClusterUnavailableException.class);
    bounded.close();
  }

  @Test
  void theSimulatedClusterRunsTheSameLifecycleAndSaysItIsSimulated() {
    try (StackCluster simulated = Clusters.simulated(Installation.UNNAMED)) {
      assertThat(simulated.simulated()).isTrue();
      simulated.apply(stack(Map.of()));
      Optional<LiveStack> live = simulated.read(NamespaceName.forStack(slug));
      assertThat(live).isPresent();
      assertThat(StackHealth.of(live, List.of("web", "worker"), true).state())
          .isEqualTo(StackHealth.State.DEPLOYING);
      assertThat(simulated.deleteNamespace(NamespaceName.forStack(slug))).isTrue();
    }
  }
}
