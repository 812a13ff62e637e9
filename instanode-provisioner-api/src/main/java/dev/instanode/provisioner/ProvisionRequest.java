package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;

public record ProvisionRequest(
    ResourceToken token, ResourceType type, Tier tier, RequestId requestId) {
  public ProvisionRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(requestId, "requestId is null");
  }
}
