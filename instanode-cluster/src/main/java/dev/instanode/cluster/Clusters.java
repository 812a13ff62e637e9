package dev.instanode.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/** The ways to get a {@link StackCluster}. */
public final class Clusters {
  private Clusters() {}

  /**
   * The cluster the environment names: {@code KUBECONFIG} (or {@code ~/.kube/config}), or the
   * service account of the pod this runs in.
   */
  public static StackCluster fromEnvironment(Installation installation) {
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(bounded(Config.autoConfigure(null))).build();
    return new Fabric8StackCluster(client, false, () -> {}, installation);
  }

  /**
   * {@code config} with short waits: a cluster that does not answer is an error within seconds, so
   * a stack read answers 503 instead of holding the request (the client's default retries back off
   * for about 20 s).
   */
  public static Config bounded(Config config) {
    return new ConfigBuilder(config)
        .withRequestRetryBackoffLimit(1)
        .withRequestRetryBackoffInterval(200)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000)
        .build();
  }

  /**
   * dev's simulated cluster: fabric8's mock API server in CRUD mode, in this process. Objects are
   * stored and read back, so the whole lifecycle runs, but no container ever starts.
   */
  public static StackCluster simulated(Installation installation) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    Config config;
    try (KubernetesClient plain = server.createClient()) {
      config = bounded(plain.getConfiguration());
    }
    KubernetesClient client = server.createClient(b -> b.withConfig(config));
    return new Fabric8StackCluster(client, true, server::destroy, installation);
  }
}
