package dev.instanode.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.Plans;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.StackSlug;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StackDeployerTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;
  private static TeamId team;

  KubernetesClient client;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_deployer"), 4);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
    team =
        db.jdbi()
            .inTransaction(h -> new IdentityRepository(db.jdbi()).createTeam(h, "t", Tier.PRO))
            .id();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void theAppliedSecretLayersTheServicesOwnEnvOverTheStacksAndTheQuotaIsTheTiers() {
    StackRecord row =
        db.jdbi()
            .inTransaction(h ->
                StackRepository.insert(
                    h,
                    new StackRepository.NewStack(
                        StackSlug.random(),
                        Optional.of(team),
                        Optional.empty(),
                        "app",
                        "development",
                        Tier.PRO,
                        Optional.empty(),
                        List.of(
                            new StackRepository.NewService(
                                "web", "nginx", 8080, true, Map.of("MODE", "manifest")))),
                    AES));
    stacks.mergeEnv(row.slug(), Optional.of(team), Map.of("MODE", "patched", "EXTRA", "yes"), AES);
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    SimpleMeterRegistry meters = new SimpleMeterRegistry();

    new StackDeployer(
            stacks, cluster, Plans.bundled(), AES, "stacks.example.dev", meters, VaultValues.NONE)
        .apply(row);

    String ns = row.namespace().value();
    assertThat(client.secrets().inNamespace(ns).withName("web-env").get().getStringData())
        .containsEntry("MODE", "manifest")
        .containsEntry("EXTRA", "yes");
    assertThat(
            client
                .resourceQuotas()
                .inNamespace(ns)
                .withName("stack-quota")
                .get()
                .getSpec()
                .getHard()
                .get("pods")
                .getAmount())
        .isEqualTo(String.valueOf(Plans.bundled().of(Tier.PRO).stacks().pods()));
    assertThat(client.namespaces().withName(ns).get().getMetadata().getLabels())
        .containsEntry("instanode.dev/owner", team.value().toString());
    assertThat(meters.get(StackDeployer.APPLY_SECONDS).timer().count()).isEqualTo(1);
  }
}
