package dev.instanode.stacks;

import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.ServiceSpec;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackQuota;
import dev.instanode.cluster.StackSpec;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.StackSlug;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Fixtures the stack tests share: a deployed stack, and a cluster that cannot be reached. */
final class TestStacks {
  private TestStacks() {}

  /** A recorded anonymous stack with one service, whose namespace {@code cluster} holds. */
  static StackRecord deployed(PlatformDatabase db, AesGcm aes, StackCluster cluster) {
    StackRecord row =
        db.jdbi()
            .inTransaction(h ->
                StackRepository.insert(
                    h,
                    new StackRepository.NewStack(
                        StackSlug.random(),
                        Optional.empty(),
                        Optional.empty(),
                        "app",
                        "development",
                        Tier.ANONYMOUS,
                        Optional.empty(),
                        List.of(
                            new StackRepository.NewService("web", "nginx", 8080, false, Map.of()))),
                    aes));
    cluster.apply(
        new StackSpec(
            row.slug(),
            Optional.empty(),
            "anonymous",
            new StackQuota(500, 512, 4, 250, 256),
            List.of(new ServiceSpec("web", "nginx", 8080, false, Map.of())),
            "stacks.example.dev"));
    return row;
  }

  /** A cluster configured like {@code like}'s but at an address nothing answers. */
  static StackCluster unreachable(KubernetesClient like) {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                Clusters.bounded(
                    new ConfigBuilder(like.getConfiguration())
                        .withMasterUrl("https://127.0.0.1:1")
                        .build()))
            .build();
    return new Fabric8StackCluster(client, false, client::close);
  }
}
