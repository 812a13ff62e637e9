package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Plan;
import dev.instanode.core.names.NamespaceName;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one dedicated resource runs in its namespace.
 *
 * @param owner the team the resource belongs to (a label: the namespace says whose it is)
 * @param resourceType the resource type's wire name, a label the sweeps and usage read
 * @param adminSecret the server's admin credentials, stored as the namespace's Secret
 * @param storageClass the volume's storage class; empty for the cluster's default
 * @param nodePort expose the Service on every node's port (customers outside the cluster connect
 *     there); otherwise it is reachable inside the cluster only
 */
public record DedicatedSpec(
    NamespaceName namespace,
    String owner,
    String tier,
    String resourceType,
    DedicatedServer server,
    Map<String, String> adminSecret,
    Plan.DedicatedSize size,
    Optional<String> storageClass,
    boolean nodePort) {
  public DedicatedSpec {
    requireNonNull(namespace, "namespace is null");
    if (namespace.tenantKind().orElse(null) != NamespaceName.Kind.CUSTOMER) {
      throw new IllegalArgumentException("a dedicated resource lives in an instant-customer-*");
    }
    requireNonNull(owner, "owner is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(resourceType, "resourceType is null");
    requireNonNull(server, "server is null");
    adminSecret = Map.copyOf(adminSecret);
    requireNonNull(size, "size is null");
    requireNonNull(storageClass, "storageClass is null");
  }

  @Override
  public String toString() {
    return "DedicatedSpec[namespace=" + namespace.masked() + ", server=" + server.name() + "]";
  }
}
