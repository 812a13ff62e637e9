package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import java.util.Optional;

/**
 * How a dedicated server's Service is reached, by the provisioner and by the customer (one address
 * for both, so the URL handed out is the one that was checked).
 */
@FunctionalInterface
public interface ServiceAddresses {
  /**
   * @param nodePort the port the cluster gave the Service on every node, when it is a NodePort
   * @return empty when the Service cannot be reached this way (yet)
   */
  Optional<ServiceAddress> resolve(
      NamespaceName namespace, String service, int port, Optional<Integer> nodePort);

  /** {@code <service>.<namespace>.svc.cluster.local}: for a provisioner inside the cluster. */
  static ServiceAddresses clusterDns() {
    return (namespace, service, port, nodePort) ->
        Optional.of(
            new ServiceAddress(service + "." + namespace.value() + ".svc.cluster.local", port));
  }

  /** {@code publicHost:<node port>}: customers and the provisioner connect through any node. */
  static ServiceAddresses nodePorts(String publicHost) {
    return (namespace, service, port, nodePort) ->
        nodePort.map(p -> new ServiceAddress(publicHost, p));
  }
}
