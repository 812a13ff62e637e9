package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;

/**
 * @param providerResourceId as the provision returned it; for a pooled resource it names the pool
 *     token, whose credentials are the ones rotated
 */
public record RotateRequest(
    ResourceToken token,
    ResourceType type,
    ProviderResourceId providerResourceId,
    RequestId requestId) {
  public RotateRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(requestId, "requestId is null");
  }
}
