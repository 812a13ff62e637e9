package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plan;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dedicated view's Secret changes and states, on fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class DedicatedClusterTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private DedicatedCluster cluster;
  private final NamespaceName ns = NamespaceName.forCustomer(ResourceToken.random());

  @BeforeEach
  void setUp() {
    cluster =
        new Fabric8StackCluster(client, false, () -> {}).dedicated(ServiceAddresses.clusterDns());
    cluster.apply(
        new DedicatedSpec(
            ns,
            "team-1",
            "pro",
            "redis",
            new DedicatedServer(
                "redis",
                "redis:7-alpine",
                6379,
                List.of("redis-server"),
                Map.of(),
                Map.of(),
                "/data",
                999,
                true,
                List.of(),
                Map.of()),
            Map.of("admin-password", "pw", "lines", "a\n"),
            new Plan.DedicatedSize(2000, 4096, 50),
            Optional.empty(),
            false));
  }

  private Map<String, String> secret() {
    return cluster.adminSecret(ns, "redis").orElseThrow();
  }

  @Test
  void anEditRewritesOneKeyFromItsValueAndKeepsTheOthers() {
    assertThat(cluster.editAdminSecret(ns, "redis", "lines", v -> v + "b\n")).isTrue();
    assertThat(secret()).containsEntry("lines", "a\nb\n").containsEntry("admin-password", "pw");
  }

  @Test
  void aMissingKeyStaysMissing() {
    assertThat(cluster.editAdminSecret(ns, "redis", "absent", v -> v + "b\n")).isFalse();
    assertThat(secret()).doesNotContainKey("absent");
  }

  @Test
  void aChangeThatLandsBetweenTheReadAndTheWriteIsKeptAndTheEditAppliedOnTopOfIt() {
    AtomicInteger calls = new AtomicInteger();
    boolean edited =
        cluster.editAdminSecret(
            ns,
            "redis",
            "lines",
            v -> {
              if (calls.incrementAndGet() == 1) {
                // Another provisioner's edit, between this one's read and its write.
                cluster.updateAdminSecret(ns, "redis", Map.of("lines", v + "other\n"));
              }
              return v + "mine\n";
            });
    assertThat(edited).isTrue();
    assertThat(calls).hasValue(2);
    assertThat(secret()).containsEntry("lines", "a\nother\nmine\n");
  }

  @Test
  void aSecretThatChangesUnderEveryAttemptIsAnErrorNotALostChange() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() ->
            cluster.editAdminSecret(
                ns,
                "redis",
                "lines",
                v -> {
                  cluster.updateAdminSecret(
                      ns, "redis", Map.of("lines", v + calls.incrementAndGet() + "\n"));
                  return "lost\n";
                }))
        .isInstanceOf(ClusterUnavailableException.class);
    assertThat(secret().get("lines")).doesNotContain("lost");
  }

  @Test
  void anEditOfAMissingSecretIsAnError() {
    client.secrets().inNamespace(ns.value()).withName("redis-admin").delete();
    assertThatThrownBy(() -> cluster.editAdminSecret(ns, "redis", "lines", v -> v))
        .isInstanceOf(ClusterUnavailableException.class);
  }

  @Test
  void theSecretIsStoredAsDataAfterAnEdit() {
    cluster.editAdminSecret(ns, "redis", "lines", v -> "c\n");
    Secret s = client.secrets().inNamespace(ns.value()).withName("redis-admin").get();
    assertThat(s.getStringData()).isNullOrEmpty();
    assertThat(
            new String(
                Base64.getDecoder().decode(s.getData().get("lines")), StandardCharsets.UTF_8))
        .isEqualTo("c\n");
  }

  @Test
  void aNamespaceBeingDeletedIsAbsentAlready() {
    assertThat(cluster.state(ns, "redis")).isInstanceOf(DedicatedState.NoPod.class);
    NamespaceName going = NamespaceName.forCustomer(ResourceToken.random());
    // CRUD mode drops a deletionTimestamp it is sent: the API server's answer is set instead.
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + going.value())
        .andReturn(
            200,
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(going.value())
                .withDeletionTimestamp("2026-01-02T00:00:00Z")
                .endMetadata()
                .build())
        .always();
    assertThat(cluster.state(going, "redis")).isInstanceOf(DedicatedState.Absent.class);
  }
}
