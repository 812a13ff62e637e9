package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import java.util.Map;

/**
 * @param bounds each live tenant's bounds, keyed by what its infrastructure is named after
 * @param otherwise the bounds of any tenant not listed (a pool item, an orphan): the strictest plan
 */
public record RunawayRequest(
    ResourceType type,
    Map<InfraKey, RunawayBounds> bounds,
    RunawayBounds otherwise,
    RequestId requestId) {
  public RunawayRequest {
    requireNonNull(type, "type is null");
    bounds = Map.copyOf(requireNonNull(bounds, "bounds is null"));
    requireNonNull(otherwise, "otherwise is null");
    requireNonNull(requestId, "requestId is null");
  }
}
