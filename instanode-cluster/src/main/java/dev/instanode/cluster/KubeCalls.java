package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** What the stack and dedicated views of one cluster do alike. */
final class KubeCalls {
  private KubeCalls() {}

  /** Runs one cluster call; an error answer or no answer is {@link ClusterUnavailableException}. */
  static <T> T call(String what, Supplier<T> work) {
    try {
      return work.get();
    } catch (KubernetesClientException e) {
      throw new ClusterUnavailableException(
          "cluster " + what + " failed (HTTP " + e.getCode() + ")", e);
    }
  }

  /**
   * Creates, or updates what exists, the namespace (labelled with {@code installation}) and then
   * each of {@code contents} in it: the one path the simulated cluster also serves (its mock
   * answers a server-side apply of a missing object with 404). An object {@code createOnly} picks
   * is made when missing and otherwise left as it is.
   */
  static void apply(
      KubernetesClient client,
      String what,
      Installation installation,
      Namespace namespace,
      List<HasMetadata> contents,
      Predicate<HasMetadata> createOnly) {
    String ns = namespace.getMetadata().getName();
    namespace.getMetadata().getLabels().put(Installation.LABEL, installation.id());
    call(
        what,
        () -> {
          client.resource(namespace).createOr(NonDeletingOperation::update);
          for (HasMetadata object : contents) {
            if (!createOnly.test(object)) {
              client.resource(object).inNamespace(ns).createOr(NonDeletingOperation::update);
            } else if (client.resource(object).inNamespace(ns).get() == null) {
              client.resource(object).inNamespace(ns).create();
            }
          }
          return null;
        });
  }

  /** See {@link NamespaceInventory#eachNamespacePage}. */
  static void eachNamespacePage(
      KubernetesClient client,
      Installation installation,
      NamespaceName.Kind kind,
      int pageSize,
      Consumer<List<TenantNamespace>> page) {
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
          ours.add(tenant(n, meta, name, installation));
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

  private static TenantNamespace tenant(
      Namespace n, ObjectMeta meta, String name, Installation installation) {
    Map<String, String> labels = new HashMap<>();
    if (meta.getLabels() != null) {
      meta.getLabels()
          .forEach((k, v) -> {
            if (k != null && v != null) {
              labels.put(k, v);
            }
          });
    }
    boolean terminating = terminating(n);
    boolean made =
        StackObjects.MANAGER.equals(labels.get(StackObjects.MANAGED_BY))
            && installation.id().equals(labels.get(Installation.LABEL));
    return new TenantNamespace(
        new NamespaceName(name), createdAt(meta.getCreationTimestamp()), labels, terminating, made);
  }

  /** Being deleted already: {@code deletionTimestamp} set, or phase {@code Terminating}. */
  static boolean terminating(Namespace n) {
    return (n.getMetadata() != null && n.getMetadata().getDeletionTimestamp() != null)
        || (n.getStatus() != null && "Terminating".equals(n.getStatus().getPhase()));
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

  /** Why the pod's containers are not running yet ({@code ImagePullBackOff}, ...). */
  static List<String> waitingReasons(Pod pod) {
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

  /** Deletes a namespace; true when it existed. */
  static boolean deleteNamespace(KubernetesClient client, NamespaceName namespace) {
    return call(
        "delete_namespace",
        () -> !client.namespaces().withName(namespace.value()).delete().isEmpty());
  }
}
