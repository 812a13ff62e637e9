package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link StackCluster} over the fabric8 client: a real cluster, or the simulated one in dev. */
public final class Fabric8StackCluster implements StackCluster {
  private static final Logger LOG = LoggerFactory.getLogger(Fabric8StackCluster.class);

  private final KubernetesClient client;
  private final boolean simulated;
  private final AutoCloseable onClose;
  private final Installation installation;

  /**
   * @param installation set as a label on every namespace this makes; the sweeps' listings count as
   *     theirs only the namespaces that carry it
   */
  public Fabric8StackCluster(
      KubernetesClient client,
      boolean simulated,
      AutoCloseable onClose,
      Installation installation) {
    this.client = client;
    this.simulated = simulated;
    this.onClose = onClose;
    this.installation = installation;
  }

  /** For tests and tools: the namespaces it makes and lists are {@link Installation#UNNAMED}'s. */
  public Fabric8StackCluster(KubernetesClient client, boolean simulated, AutoCloseable onClose) {
    this(client, simulated, onClose, Installation.UNNAMED);
  }

  @Override
  public boolean simulated() {
    return simulated;
  }

  @Override
  public void apply(StackSpec stack) {
    KubeCalls.apply(
        client,
        "apply",
        installation,
        StackObjects.namespace(stack),
        StackObjects.contents(stack),
        object -> false);
  }

  @Override
  public Optional<LiveStack> read(NamespaceName namespace) {
    String ns = namespace.value();
    return KubeCalls.call(
        "read",
        () -> {
          Namespace found = client.namespaces().withName(ns).get();
          if (found == null) {
            return Optional.empty();
          }
          Optional<String> tier =
              Optional.ofNullable(found.getMetadata().getLabels())
                  .map(labels -> labels.get(StackObjects.TIER));
          Map<String, List<String>> waiting = new HashMap<>();
          for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
            String service =
                pod.getMetadata().getLabels() == null
                    ? null
                    : pod.getMetadata().getLabels().get(StackObjects.SERVICE);
            if (service != null) {
              waiting
                  .computeIfAbsent(service, s -> new ArrayList<>())
                  .addAll(KubeCalls.waitingReasons(pod));
            }
          }
          List<LiveService> services = new ArrayList<>();
          for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
            String name = d.getMetadata().getName();
            Integer desired = d.getSpec() == null ? null : d.getSpec().getReplicas();
            Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
            services.add(
                new LiveService(
                    name,
                    desired == null ? 1 : desired,
                    available == null ? 0 : available,
                    waiting.getOrDefault(name, List.of())));
          }
          return Optional.of(new LiveStack(services, tier));
        });
  }

  @Override
  public Optional<AutoCloseable> followLogs(
      NamespaceName namespace, String service, Consumer<String> lines, Runnable ended) {
    Optional<Pod> newest =
        KubeCalls.call(
            "logs",
            () ->
                client
                    .pods()
                    .inNamespace(namespace.value())
                    .withLabel(StackObjects.SERVICE, service)
                    .list()
                    .getItems()
                    .stream()
                    .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())));
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    LogWatch watch =
        KubeCalls.call(
            "logs",
            () ->
                client
                    .pods()
                    .inNamespace(namespace.value())
                    .withName(newest.get().getMetadata().getName())
                    .watchLog());
    Thread reader =
        Thread.ofVirtual()
            .name("logs-" + namespace.value() + "-" + service)
            .start(() -> {
              try (Reader in = new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8)) {
                BoundedLines.read(in, BoundedLines.MAX_CHARS, lines);
              } catch (Exception e) {
                LOG.debug("cluster.logs_ended namespace={} service={}", namespace, service);
              } finally {
                ended.run();
              }
            });
    return Optional.of(() -> {
      watch.close();
      reader.interrupt();
    });
  }

  @Override
  public boolean deleteNamespace(NamespaceName namespace) {
    return KubeCalls.deleteNamespace(client, namespace);
  }

  @Override
  public void eachNamespacePage(
      NamespaceName.Kind kind, int pageSize, Consumer<List<TenantNamespace>> page) {
    KubeCalls.eachNamespacePage(client, installation, kind, pageSize, page);
  }

  @Override
  public DedicatedCluster dedicated(ServiceAddresses addresses) {
    return new Fabric8DedicatedCluster(client, simulated, addresses, installation);
  }

  @Override
  public void close() {
    try {
      client.close();
      onClose.close();
    } catch (Exception e) {
      LOG.warn("cluster.close_failed error={}", e.toString());
    }
  }
}
