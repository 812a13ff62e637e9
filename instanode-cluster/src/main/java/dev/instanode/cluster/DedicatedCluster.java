package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The Kubernetes side of dedicated resources: one server per {@code instant-customer-<token>}
 * namespace. Every method throws {@link ClusterUnavailableException} when the cluster cannot be
 * reached or answers with an error; nothing is reported that did not happen.
 */
public interface DedicatedCluster extends NamespaceInventory {
  /** True for dev's simulated cluster: no pod ever becomes Ready there. */
  boolean simulated();

  /**
   * Creates the namespace and everything in it: the quota, a default-deny network policy, the admin
   * Secret, the volume, the server's Deployment and its Service. Idempotent, except that an
   * existing Secret is kept (the server was started with its password).
   */
  void apply(DedicatedSpec spec);

  /**
   * Where the server of {@code namespace} named {@code server} is in its start; {@link
   * DedicatedState.Absent} also while the namespace is being deleted (all it holds is going).
   */
  DedicatedState state(NamespaceName namespace, String server);

  /** The admin Secret's data; empty when the namespace or the Secret does not exist. */
  Optional<Map<String, String>> adminSecret(NamespaceName namespace, String server);

  /**
   * Replaces {@code values}' keys in the admin Secret, keeping the others: what a server restarted
   * from it must come back with (a rotated password, a regraded cap).
   *
   * @throws ClusterUnavailableException also when the Secret does not exist
   */
  void updateAdminSecret(NamespaceName namespace, String server, Map<String, String> values);

  /**
   * Replaces the admin Secret's {@code key} with what {@code change} makes of the value it holds,
   * written only if the Secret is still as it was read: when another change landed in between, the
   * Secret is read again and {@code change} applied to what it holds then, so neither change is
   * lost. A missing key stays missing, and a value {@code change} leaves as it was is not written.
   *
   * @return false when the Secret has no {@code key}
   * @throws ClusterUnavailableException also when the Secret does not exist, or changes under every
   *     attempt
   */
  boolean editAdminSecret(
      NamespaceName namespace, String server, String key, UnaryOperator<String> change);

  /** Where the server's Service is reached; empty when it does not exist or has no address yet. */
  Optional<ServiceAddress> address(NamespaceName namespace, String server);

  /**
   * Deletes the namespace and all it holds. Idempotent. Only the audited chokepoint calls this.
   *
   * @return true when it existed
   */
  boolean deleteNamespace(NamespaceName namespace);
}
