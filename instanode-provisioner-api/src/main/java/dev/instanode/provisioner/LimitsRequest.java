package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;

/**
 * The limits one resource must be held to now.
 *
 * @param writesBlocked stop its writes (over its storage or memory limit) or give them back
 * @param connectionCap connections it may hold; those over it are closed, newest first; -1 = none
 * @param bytesToFree what it holds beyond its plan, to be shed because the shared server is short
 *     of room; 0 = shed nothing. Only a cache backend sheds; a database never loses data this way.
 */
public record LimitsRequest(
    ResourceToken token,
    ResourceType type,
    ProviderResourceId providerResourceId,
    boolean writesBlocked,
    long connectionCap,
    long bytesToFree,
    RequestId requestId) {
  public LimitsRequest {
    requireNonNull(token, "token is null");
    requireNonNull(type, "type is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(requestId, "requestId is null");
    if (bytesToFree < 0) {
      throw new IllegalArgumentException("bytesToFree is negative");
    }
  }
}
