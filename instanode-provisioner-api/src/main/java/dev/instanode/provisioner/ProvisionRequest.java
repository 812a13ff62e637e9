package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.util.Optional;

/**
 * @param dedicatedFor present: the resource gets its own server in its own namespace, labelled as
 *     this team's ({@link Provisioner#dedicatedTypes}); empty: it lives on the shared backend
 */
public record ProvisionRequest(
    ResourceToken token,
    ResourceType type,
    Tier tier,
    RequestId requestId,
    Optional<TeamId> dedicatedFor) {
  public ProvisionRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(requestId, "requestId is null");
    requireNonNull(dedicatedFor, "dedicatedFor is null");
  }

  /** On the shared backend. */
  public ProvisionRequest(ResourceToken token, ResourceType type, Tier tier, RequestId requestId) {
    this(token, type, tier, requestId, Optional.empty());
  }
}
