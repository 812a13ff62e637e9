package dev.instanode.provisioner.dedicated;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.provisioner.ProvisionerException;
import java.util.Optional;

/**
 * A dedicated resource's {@code provider_resource_id} is {@code k8s:instant-customer-<token>}: the
 * namespace its server runs in, so every later call reaches the same server.
 */
public final class DedicatedIds {
  static final String PREFIX = "k8s:";

  private DedicatedIds() {}

  public static ProviderResourceId of(NamespaceName namespace) {
    return ProviderResourceId.of(PREFIX + namespace.value());
  }

  /** True when the id names a dedicated server rather than a shared cluster. */
  public static boolean isDedicated(ProviderResourceId id) {
    return id.pool().isEmpty() && id.backendRef().startsWith(PREFIX);
  }

  /**
   * The namespace of a dedicated resource; a pool token never has one (nothing dedicated pools).
   */
  static NamespaceName namespace(InfraKey key) {
    if (!(key instanceof ResourceToken token)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT,
          "a dedicated resource is never from the pool",
          null);
    }
    return NamespaceName.forCustomer(token);
  }

  /** The namespace the id names, when it is one of ours. */
  static Optional<NamespaceName> namespace(ProviderResourceId id) {
    if (!isDedicated(id)) {
      return Optional.empty();
    }
    NamespaceName name = new NamespaceName(id.backendRef().substring(PREFIX.length()));
    return name.tenantKind().filter(k -> k == NamespaceName.Kind.CUSTOMER).map(k -> name);
  }
}
