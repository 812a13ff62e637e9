package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;

/**
 * Drop infrastructure that no platform row names and no pool item tracks, found by an inventory
 * sweep. Its placement is unknown, so every cluster is tried.
 *
 * @param reason why (the sweep's reason label); audited at the chokepoint
 */
public record OrphanReapRequest(
    InfraKey key, ResourceType type, String reason, RequestId requestId) {
  public OrphanReapRequest {
    requireNonNull(key, "key is null");
    requireNonNull(type, "type is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(requestId, "requestId is null");
  }
}
