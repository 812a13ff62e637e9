package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plan;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DedicatedObjectsTest {
  private static DedicatedSpec spec(boolean nodePort) {
    return new DedicatedSpec(
        NamespaceName.forCustomer(ResourceToken.random()),
        "team-1",
        "pro",
        "redis",
        new DedicatedServer(
            "redis",
            "redis:7-alpine",
            6379,
            List.of("redis-server", "/etc/instanode/bindings.conf", "--requirepass", "$(PW)"),
            Map.of("PW", "admin-password"),
            Map.of(),
            "/data",
            999,
            true,
            List.of("true"),
            Map.of("/etc/instanode/bindings.conf", "binding-users")),
        Map.of("admin-password", "s3cret", "binding-users", "user bnd_x on #00"),
        new Plan.DedicatedSize(2000, 4096, 50),
        Optional.of("fast"),
        nodePort);
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }

  @Test
  void theNamespaceLetsInItsPortOnlyAndLetsOutDnsOnly() {
    NetworkPolicy p = only(DedicatedObjects.contents(spec(false)), NetworkPolicy.class);
    assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
    assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(p.getSpec().getIngress())
        .singleElement()
        .satisfies(in ->
            assertThat(in.getPorts())
                .singleElement()
                .satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(6379)));
    assertThat(p.getSpec().getEgress())
        .singleElement()
        .satisfies(out -> {
          assertThat(out.getTo())
              .singleElement()
              .satisfies(to -> {
                assertThat(to.getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "kube-system");
                assertThat(to.getPodSelector().getMatchLabels())
                    .containsEntry("k8s-app", "kube-dns");
              });
          assertThat(out.getPorts())
              .extracting(port -> port.getPort().getIntVal())
              .containsOnly(53);
        });
  }

  @Test
  void theSecretIsStoredAsDataAndThePodReadsItFromThereNeverFromItsSpec() {
    List<HasMetadata> objects = DedicatedObjects.contents(spec(false));
    Secret secret = only(objects, Secret.class);
    assertThat(secret.getStringData()).isNullOrEmpty();
    assertThat(
            new String(
                Base64.getDecoder().decode(secret.getData().get("admin-password")),
                StandardCharsets.UTF_8))
        .isEqualTo("s3cret");
    Deployment d = only(objects, Deployment.class);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getValue()).isNull();
          assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("redis-admin");
        });
    assertThat(objects.toString()).doesNotContain("s3cret");
    // Applied first, so the server never starts without it.
    assertThat(objects.getFirst()).isInstanceOf(Secret.class);
  }

  @Test
  void theServiceIsANodePortOnlyWhenCustomersConnectThroughTheNodes() {
    assertThat(only(DedicatedObjects.contents(spec(true)), Service.class).getSpec().getType())
        .isEqualTo("NodePort");
    assertThat(only(DedicatedObjects.contents(spec(false)), Service.class).getSpec().getType())
        .isEqualTo("ClusterIP");
  }

  @Test
  void aDedicatedServerLivesOnlyInACustomerNamespaceAndNeverAsRoot() {
    assertThatThrownBy(() ->
            new DedicatedSpec(
                new NamespaceName("instant-stack-stk-12345678"),
                "t",
                "pro",
                "redis",
                spec(false).server(),
                Map.of(),
                new Plan.DedicatedSize(2000, 4096, 50),
                Optional.empty(),
                false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() ->
            new DedicatedServer(
                "redis", "redis", 6379, List.of(), Map.of(), Map.of(), "/data", 0, true, List.of(),
                Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSecretKeyIsMountedReadOnlyAsTheFileTheServerIsToldToReadFirst() {
    List<HasMetadata> objects = DedicatedObjects.contents(spec(false));
    PodSpec pod = only(objects, Deployment.class).getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().getFirst();
    VolumeMount mount =
        container.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/etc/instanode"))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getReadOnly()).isTrue();
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("redis-admin");
    assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
    // Only that key: the admin password stays out of the file system.
    assertThat(volume.getSecret().getItems())
        .singleElement()
        .satisfies(item -> {
          assertThat(item.getKey()).isEqualTo("binding-users");
          assertThat(mount.getMountPath() + "/" + item.getPath())
              .isEqualTo(container.getArgs().get(1));
        });
    assertThat(container.getArgs()).startsWith("redis-server", "/etc/instanode/bindings.conf");
    // The Secret the volume reads holds the key, so the pod can start.
    assertThat(only(objects, Secret.class).getData()).containsKey("binding-users");
  }

  @Test
  void aServerWithNoSecretFilesMountsNoSecret() {
    DedicatedSpec spec = spec(false);
    DedicatedServer s = spec.server();
    DedicatedSpec without =
        new DedicatedSpec(
            spec.namespace(),
            spec.owner(),
            spec.tier(),
            spec.resourceType(),
            new DedicatedServer(
                s.name(),
                s.image(),
                s.port(),
                s.args(),
                s.secretEnv(),
                s.env(),
                s.dataPath(),
                s.runAsUser(),
                s.readOnlyRoot(),
                s.readiness(),
                Map.of()),
            spec.adminSecret(),
            spec.size(),
            spec.storageClass(),
            spec.nodePort());
    PodSpec pod =
        only(DedicatedObjects.contents(without), Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactly("data", "tmp");
    assertThat(pod.getContainers().getFirst().getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/data", "/tmp");
  }

  @Test
  void aSecretFileNeedsADirectoryOfItsOwn() {
    for (String path : List.of("/bindings.conf", "/data/bindings.conf", "/tmp/x", "relative")) {
      assertThatThrownBy(() ->
              new DedicatedServer(
                  "redis",
                  "redis",
                  6379,
                  List.of(),
                  Map.of(),
                  Map.of(),
                  "/data",
                  999,
                  true,
                  List.of(),
                  Map.of(path, "k")))
          .as(path)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
