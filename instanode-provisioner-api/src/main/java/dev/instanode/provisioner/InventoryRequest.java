package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;

public record InventoryRequest(ResourceType type, RequestId requestId) {
  public InventoryRequest {
    requireNonNull(type, "type is null");
    requireNonNull(requestId, "requestId is null");
  }
}
