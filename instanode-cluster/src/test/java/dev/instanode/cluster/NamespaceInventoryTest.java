package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listing tenant namespaces on fabric8's mock API server: CRUD mode for what exists, expectations
 * for what CRUD mode cannot show (pages with a continue token, a missing creationTimestamp, a list
 * that fails part-way).
 */
@EnableKubernetesMockClient(crud = true)
class NamespaceInventoryTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private StackCluster cluster;

  @BeforeEach
  void setUp() {
    // Bounded retries, so a 500 fails within a second instead of the client's default backoff.
    cluster =
        new Fabric8StackCluster(
            new KubernetesClientBuilder()
                .withConfig(Clusters.bounded(client.getConfiguration()))
                .build(),
            false,
            () -> {});
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Namespace namespace(String name, String createdAt) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withCreationTimestamp(createdAt)
        .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
        .addToLabels(Installation.LABEL, Installation.UNNAMED.id())
        .endMetadata()
        .build();
  }

  private List<List<TenantNamespace>> pages(NamespaceName.Kind kind, int pageSize) {
    List<List<TenantNamespace>> pages = new ArrayList<>();
    cluster.eachNamespacePage(kind, pageSize, pages::add);
    return pages;
  }

  @Test
  void listsOnlyTheKindsNamespacesWithTheirAgeAndLabels() {
    NamespaceName stack = NamespaceName.forStack(StackSlug.random());
    NamespaceName customer = NamespaceName.forCustomer(ResourceToken.random());
    for (String name : List.of(stack.value(), customer.value(), "kube-system", "instant-infra")) {
      client.namespaces().resource(namespace(name, null)).create();
    }

    List<TenantNamespace> stacks =
        pages(NamespaceName.Kind.STACK, 500).stream().flatMap(List::stream).toList();
    List<TenantNamespace> customers =
        pages(NamespaceName.Kind.CUSTOMER, 500).stream().flatMap(List::stream).toList();

    assertThat(stacks)
        .singleElement()
        .satisfies(ns -> {
          assertThat(ns.name()).isEqualTo(stack);
          assertThat(ns.createdAt()).as("the server stamps creationTimestamp").isPresent();
          assertThat(ns.createdAt().orElseThrow())
              .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
          assertThat(ns.ours()).isTrue();
          assertThat(ns.terminating()).isFalse();
        });
    assertThat(customers).extracting(TenantNamespace::name).containsExactly(customer);
  }

  @Test
  void readsPageByPageFollowingTheContinueToken() {
    NamespaceName first = NamespaceName.forStack(StackSlug.random());
    NamespaceName second = NamespaceName.forStack(StackSlug.random());
    NamespaceName third = NamespaceName.forStack(StackSlug.random());
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?limit=2")
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withNewMetadata()
                .withContinue("page-2")
                .endMetadata()
                .withItems(
                    namespace(first.value(), "2026-01-01T00:00:00Z"),
                    namespace("kube-system", "2026-01-01T00:00:00Z"))
                .build())
        .once();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?continue=page-2&limit=2")
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withItems(
                    namespace(second.value(), "2026-01-01T00:00:00Z"),
                    namespace(third.value(), "2026-01-01T00:00:00Z"))
                .build())
        .once();

    List<List<TenantNamespace>> pages = pages(NamespaceName.Kind.STACK, 2);

    assertThat(pages).hasSize(2);
    assertThat(pages.get(0)).extracting(TenantNamespace::name).containsExactly(first);
    assertThat(pages.get(1)).extracting(TenantNamespace::name).containsExactly(second, third);
    assertThat(pages.get(0).getFirst().createdAt()).contains(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void aMissingOrUnreadableCreationTimestampIsNoAgeAtAll() {
    NamespaceName missing = NamespaceName.forStack(StackSlug.random());
    NamespaceName garbled = NamespaceName.forStack(StackSlug.random());
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?limit=500")
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withItems(
                    namespace(missing.value(), null), namespace(garbled.value(), "yesterday"))
                .build())
        .once();

    List<TenantNamespace> listed =
        pages(NamespaceName.Kind.STACK, 500).stream().flatMap(List::stream).toList();

    assertThat(listed).extracting(TenantNamespace::name).containsExactly(missing, garbled);
    assertThat(listed).allSatisfy(ns -> assertThat(ns.createdAt()).isEmpty());
  }

  @Test
  void aListThatFailsPartWayIsUnavailableAndThePagesBeforeItStayDelivered() {
    NamespaceName first = NamespaceName.forStack(StackSlug.random());
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?limit=1")
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withNewMetadata()
                .withContinue("page-2")
                .endMetadata()
                .withItems(namespace(first.value(), "2026-01-01T00:00:00Z"))
                .build())
        .once();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?continue=page-2&limit=1")
        .andReturn(500, "etcd is unhappy")
        .always();

    List<List<TenantNamespace>> pages = new ArrayList<>();
    assertThatThrownBy(() -> cluster.eachNamespacePage(NamespaceName.Kind.STACK, 1, pages::add))
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("list_namespaces");
    assertThat(pages).hasSize(1);
  }

  @Test
  void aTerminatingNamespaceSaysSo() {
    NamespaceName going = NamespaceName.forCustomer(ResourceToken.random());
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?limit=500")
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withItems(
                    new NamespaceBuilder(namespace(going.value(), "2026-01-01T00:00:00Z"))
                        .editMetadata()
                        .withDeletionTimestamp("2026-01-02T00:00:00Z")
                        .endMetadata()
                        .build())
                .build())
        .once();

    assertThat(pages(NamespaceName.Kind.CUSTOMER, 500))
        .singleElement()
        .satisfies(page ->
            assertThat(page)
                .singleElement()
                .satisfies(ns -> assertThat(ns.terminating()).isTrue()));
  }
}
