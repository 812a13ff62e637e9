package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Kubernetes a stack runs on. Every method throws {@link ClusterUnavailableException} when the
 * cluster cannot be reached or answers with an error; nothing is reported that did not happen. It
 * also lists the tenant namespaces that exist ({@link NamespaceInventory}), for the orphan sweep.
 */
public interface StackCluster extends NamespaceInventory, AutoCloseable {
  /** True for dev's simulated cluster: objects are stored, no container runs. */
  boolean simulated();

  /**
   * Creates or updates, idempotently, everything the stack runs in its namespace: the namespace and
   * its labels, the tier's quota and limits, a default-deny network policy, and per service a
   * Secret with its env, a Deployment, a Service and, when exposed, an Ingress. A service whose env
   * changed gets new pods (its template carries a digest of the env); one whose env did not is left
   * running.
   */
  void apply(StackSpec stack);

  /** The live state of the namespace; empty when it does not exist. */
  Optional<LiveStack> read(NamespaceName namespace);

  /**
   * Sends each line the service's newest pod writes to {@code lines}, following it until the pod
   * ends or the returned handle is closed; then runs {@code ended}, once. Empty when the service
   * has no pod.
   */
  Optional<AutoCloseable> followLogs(
      NamespaceName namespace, String service, Consumer<String> lines, Runnable ended);

  /**
   * Deletes the namespace and everything in it, whatever tenant it holds (a stack's, a dedicated
   * resource's). Idempotent: a namespace already gone is success. Callers go through the audited
   * chokepoint, whose guard checks the name first.
   *
   * @return true when it existed
   */
  boolean deleteNamespace(NamespaceName namespace);

  /**
   * The dedicated resources' view of the same cluster.
   *
   * @param addresses how the provisioner and customers reach a dedicated server's Service
   */
  DedicatedCluster dedicated(ServiceAddresses addresses);

  @Override
  void close();
}
