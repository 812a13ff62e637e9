package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** {@link DedicatedCluster} over the fabric8 client, on the same client as the stacks' view. */
final class Fabric8DedicatedCluster implements DedicatedCluster {
  /** Attempts at a Secret change before concurrent changes are given up on. */
  static final int SECRET_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final boolean simulated;
  private final ServiceAddresses addresses;
  private final Installation installation;

  Fabric8DedicatedCluster(
      KubernetesClient client,
      boolean simulated,
      ServiceAddresses addresses,
      Installation installation) {
    this.client = client;
    this.simulated = simulated;
    this.addresses = addresses;
    this.installation = installation;
  }

  @Override
  public boolean simulated() {
    return simulated;
  }

  @Override
  public void apply(DedicatedSpec spec) {
    // The server was (or is being) started with the stored password: never replace the Secret.
    KubeCalls.apply(
        client,
        "apply_dedicated",
        installation,
        DedicatedObjects.namespace(spec),
        DedicatedObjects.contents(spec),
        object -> object instanceof Secret);
  }

  @Override
  public DedicatedState state(NamespaceName namespace, String server) {
    return KubeCalls.call(
        "dedicated_state",
        () -> {
          Namespace ns = client.namespaces().withName(namespace.value()).get();
          if (ns == null || KubeCalls.terminating(ns)) {
            return new DedicatedState.Absent();
          }
          List<Pod> pods =
              client
                  .pods()
                  .inNamespace(namespace.value())
                  .withLabel(StackObjects.SERVICE, server)
                  .list()
                  .getItems();
          if (pods.isEmpty()) {
            return new DedicatedState.NoPod();
          }
          List<String> reasons = new ArrayList<>();
          for (Pod pod : pods) {
            if (ready(pod)) {
              return new DedicatedState.Ready();
            }
            reasons.addAll(KubeCalls.waitingReasons(pod));
          }
          return new DedicatedState.Starting(reasons);
        });
  }

  private static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public Optional<Map<String, String>> adminSecret(NamespaceName namespace, String server) {
    return KubeCalls.call(
        "dedicated_secret",
        () ->
            Optional.ofNullable(
                    client
                        .secrets()
                        .inNamespace(namespace.value())
                        .withName(DedicatedObjects.secretName(server))
                        .get())
                .map(Fabric8DedicatedCluster::decoded));
  }

  @Override
  public void updateAdminSecret(
      NamespaceName namespace, String server, Map<String, String> values) {
    KubeCalls.call(
        "dedicated_secret_update",
        () -> {
          changeSecret(
              namespace,
              server,
              data -> {
                Map<String, String> changed = new HashMap<>(data);
                changed.putAll(values);
                return Optional.of(changed);
              });
          return null;
        });
  }

  @Override
  public boolean editAdminSecret(
      NamespaceName namespace, String server, String key, UnaryOperator<String> change) {
    return KubeCalls.call(
        "dedicated_secret_edit",
        () ->
            changeSecret(
                namespace,
                server,
                data -> {
                  if (!data.containsKey(key)) {
                    return Optional.empty();
                  }
                  Map<String, String> changed = new HashMap<>(data);
                  changed.put(key, change.apply(data.get(key)));
                  return Optional.of(changed);
                }));
  }

  /**
   * Reads the Secret, and writes what {@code change} makes of its data (empty: nothing to write) as
   * an update on the resourceVersion read, so a concurrent change is a conflict; on one, it starts
   * again from a fresh read.
   *
   * @return false when {@code change} wrote nothing
   */
  private boolean changeSecret(
      NamespaceName namespace,
      String server,
      Function<Map<String, String>, Optional<Map<String, String>>> change) {
    for (int attempt = 1; ; attempt++) {
      Secret secret =
          client
              .secrets()
              .inNamespace(namespace.value())
              .withName(DedicatedObjects.secretName(server))
              .get();
      if (secret == null) {
        throw new ClusterUnavailableException("the dedicated server's Secret does not exist", null);
      }
      Map<String, String> data = decoded(secret);
      Optional<Map<String, String>> changed = change.apply(data);
      if (changed.isEmpty()) {
        return false;
      }
      if (changed.get().equals(data)) {
        return true;
      }
      Map<String, String> encoded = new HashMap<>();
      changed
          .get()
          .forEach((k, v) ->
              encoded.put(
                  k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
      secret.setData(encoded);
      secret.setStringData(null);
      try {
        // The resourceVersion read above: a Secret changed since is a 409, not overwritten.
        client.secrets().inNamespace(namespace.value()).resource(secret).update();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= SECRET_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static Map<String, String> decoded(Secret secret) {
    Map<String, String> data = new HashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          // An empty value may come back as null from some API servers: it is the empty string.
          .forEach((k, v) ->
              data.put(
                  k,
                  v == null
                      ? ""
                      : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v == null ? "" : v));
    }
    return Map.copyOf(data);
  }

  @Override
  public Optional<ServiceAddress> address(NamespaceName namespace, String server) {
    Optional<Service> service =
        KubeCalls.call(
            "dedicated_service",
            () ->
                Optional.ofNullable(
                    client.services().inNamespace(namespace.value()).withName(server).get()));
    return service
        .filter(s -> s.getSpec() != null && s.getSpec().getPorts() != null)
        .flatMap(s -> s.getSpec().getPorts().stream().findFirst())
        .flatMap((ServicePort p) ->
            addresses.resolve(
                namespace, server, p.getPort(), Optional.ofNullable(p.getNodePort())));
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
}
