package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;

/**
 * @param reason why this drop happens (e.g. {@code user_delete}, {@code expired}, {@code
 *     provision_rollback}); logged at the chokepoint
 */
public record DeprovisionRequest(
    ResourceToken token,
    ResourceType type,
    ProviderResourceId providerResourceId,
    String reason,
    RequestId requestId) {
  public DeprovisionRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(requestId, "requestId is null");
  }
}
