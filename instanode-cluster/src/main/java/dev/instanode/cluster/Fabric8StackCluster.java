package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link StackCluster} over the fabric8 client: a real cluster, or the simulated one in dev. */
public final class Fabric8StackCluster implements StackCluster {
  private static final Logger LOG = LoggerFactory.getLogger(Fabric8StackCluster.class);

  private final KubernetesClient client;
  private final boolean simulated;
  private final AutoCloseable onClose;

  public Fabric8StackCluster(KubernetesClient client, boolean simulated, AutoCloseable onClose) {
    this.client = client;
    this.simulated = simulated;
    this.onClose = onClose;
  }

  @Override
  public boolean simulated() {
    return simulated;
  }

  @Override
  public void apply(StackSpec stack) {
    String ns = stack.namespace().value();
    call(
        "apply",
        () -> {
          // Create, or update what exists: the one path the simulated cluster also serves (its
          // mock answers a server-side apply of a missing object with 404).
          client.resource(StackObjects.namespace(stack)).createOr(NonDeletingOperation::update);
          for (HasMetadata object : StackObjects.contents(stack)) {
            client.resource(object).inNamespace(ns).createOr(NonDeletingOperation::update);
          }
          return null;
        });
  }

  @Override
  public Optional<LiveStack> read(NamespaceName namespace) {
    String ns = namespace.value();
    return call(
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
              waiting.computeIfAbsent(service, s -> new ArrayList<>()).addAll(waitingReasons(pod));
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

  private static List<String> waitingReasons(Pod pod) {
    if (pod.getStatus() == null) {
      return List.of();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    Stream.of(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
        .filter(list -> list != null)
        .forEach(statuses::addAll);
    return statuses.stream()
        .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
        .map(c -> c.getState().getWaiting().getReason())
        .filter(reason -> reason != null)
        .toList();
  }

  @Override
  public Optional<AutoCloseable> followLogs(
      NamespaceName namespace, String service, Consumer<String> lines, Runnable ended) {
    Optional<Pod> newest =
        call(
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
        call(
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
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.accept(line);
                }
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
    return call(
        "delete_namespace",
        () -> !client.namespaces().withName(namespace.value()).delete().isEmpty());
  }

  @Override
  public void eachNamespacePage(
      NamespaceName.Kind kind, int pageSize, Consumer<List<TenantNamespace>> page) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive");
    }
    String prefix = kind.prefix();
    String next = null;
    do {
      String from = next;
      NamespaceList list =
          call(
              "list_namespaces",
              () ->
                  client
                      .namespaces()
                      .list(
                          new ListOptionsBuilder()
                              .withLimit((long) pageSize)
                              .withContinue(from)
                              .build()));
      List<TenantNamespace> ours = new ArrayList<>();
      for (Namespace n : list.getItems()) {
        ObjectMeta meta = n.getMetadata();
        String name = meta == null ? null : meta.getName();
        if (name != null && name.startsWith(prefix) && name.length() > prefix.length()) {
          ours.add(tenant(n, meta, name));
        }
      }
      if (!ours.isEmpty()) {
        page.accept(List.copyOf(ours));
      }
      next = list.getMetadata() == null ? null : list.getMetadata().getContinue();
      if (next != null && next.equals(from)) {
        // A server handing back the token it was given would loop this forever.
        throw new ClusterUnavailableException(
            "cluster list_namespaces failed (the continue token did not advance)", null);
      }
    } while (next != null && !next.isEmpty());
  }

  private static TenantNamespace tenant(Namespace n, ObjectMeta meta, String name) {
    Map<String, String> labels = new HashMap<>();
    if (meta.getLabels() != null) {
      meta.getLabels()
          .forEach((k, v) -> {
            if (k != null && v != null) {
              labels.put(k, v);
            }
          });
    }
    boolean terminating =
        meta.getDeletionTimestamp() != null
            || (n.getStatus() != null && "Terminating".equals(n.getStatus().getPhase()));
    return new TenantNamespace(
        new NamespaceName(name), createdAt(meta.getCreationTimestamp()), labels, terminating);
  }

  /** Empty when missing or unreadable: an age that cannot be read is never taken for an old one. */
  private static Optional<Instant> createdAt(String creationTimestamp) {
    if (creationTimestamp == null || creationTimestamp.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(creationTimestamp));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static <T> T call(String what, Supplier<T> work) {
    try {
      return work.get();
    } catch (KubernetesClientException e) {
      throw new ClusterUnavailableException(
          "cluster " + what + " failed (HTTP " + e.getCode() + ")", e);
    }
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
