package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.names.BindingKey;

/**
 * One binding of a live resource: a login of its own beside the resource's.
 *
 * @param providerResourceId as the provision returned it (a pooled resource's names the pool token)
 */
public record BindingRequest(
    ResourceToken token,
    ResourceType type,
    ProviderResourceId providerResourceId,
    BindingKey bindingKey,
    RequestId requestId) {
  public BindingRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(bindingKey, "bindingKey is null");
    requireNonNull(requestId, "requestId is null");
  }
}
