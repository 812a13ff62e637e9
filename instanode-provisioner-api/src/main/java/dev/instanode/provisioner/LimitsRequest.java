package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import java.util.OptionalLong;

/**
 * The limits one resource must be held to now.
 *
 * @param writesBlocked stop its writes (over its storage or memory limit) or give them back
 * @param connectionCap connections it may hold; those over it are closed, newest first; -1 = none
 * @param shedDownTo when present, the bytes it may keep: what it holds beyond them is shed because
 *     the shared server is short of room. Measured by the backend after writes are stopped, so what
 *     a tenant wrote while the worker decided is shed too. Only a cache backend sheds; a database
 *     never loses data this way.
 */
public record LimitsRequest(
    ResourceToken token,
    ResourceType type,
    ProviderResourceId providerResourceId,
    boolean writesBlocked,
    long connectionCap,
    OptionalLong shedDownTo,
    RequestId requestId) {
  public LimitsRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(requestId, "requestId is null");
    requireNonNull(shedDownTo, "shedDownTo is null");
    if (shedDownTo.isPresent() && shedDownTo.getAsLong() < 0) {
      throw new IllegalArgumentException("shedDownTo is negative");
    }
  }
}
