package dev.instanode.provisioner.dedicated;

import dev.instanode.core.InfraKey;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.ResourceBackend;
import java.util.List;

/**
 * A backend that gives each resource its own server in its own namespace. Made only for a team (the
 * namespace carries its owner); its objects are the namespace, dropped whole.
 */
public interface DedicatedBackend extends ResourceBackend {
  /**
   * Starts the server, makes the tenant inside it with the tier's caps, and returns once the
   * tenant's credentials work. On failure it throws {@link
   * dev.instanode.provisioner.engine.PartialProvisionException} so the namespace is torn down
   * through the chokepoint.
   */
  ProvisionResult provision(ResourceToken token, Tier tier, TeamId owner, RequestId requestId);

  /** A dedicated server always belongs to a team: this form, which names none, is refused. */
  @Override
  default ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    throw new ProvisionerException(
        ProvisionerException.Kind.INVALID_ARGUMENT, "a dedicated resource needs its team", null);
  }

  @Override
  default String backendLabel() {
    return "dedicated";
  }

  @Override
  default List<InfraName> objectNames(InfraKey key) {
    return List.of(DedicatedIds.namespace(key));
  }

  /**
   * None: a dedicated server is its namespace, and the orphan sweep's customer pass finds a
   * namespace no live row names.
   */
  @Override
  default List<InventoryItem> inventory() {
    return List.of();
  }
}
