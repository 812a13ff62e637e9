package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;

public record RegradeRequest(
    ResourceToken token,
    ResourceType type,
    Tier tier,
    ProviderResourceId providerResourceId,
    RequestId requestId) {
  public RegradeRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(requestId, "requestId is null");
  }
}
