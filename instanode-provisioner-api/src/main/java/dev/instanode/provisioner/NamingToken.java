package dev.instanode.provisioner;

import dev.instanode.core.Masking;
import dev.instanode.core.ResourceToken;
import java.util.Optional;

/**
 * Which token a resource's infrastructure is named after. A pooled resource carries its pool token
 * in {@code provider_resource_id} ({@code local:0;pooltok:pool-<uuid>}); every later call must
 * target that name, or drops miss and caps never apply.
 */
public final class NamingToken {
  private static final String POOL_PART = "pooltok:";

  private NamingToken() {}

  public static String resolve(ResourceToken token, String providerResourceId) {
    return poolToken(providerResourceId).orElse(token.toString());
  }

  public static Optional<String> poolToken(String providerResourceId) {
    for (String part : providerResourceId.split(";")) {
      if (part.startsWith(POOL_PART) && part.length() > POOL_PART.length()) {
        return Optional.of(part.substring(POOL_PART.length()));
      }
    }
    return Optional.empty();
  }

  /** The id with its pool token masked like any token, for logs. */
  public static String masked(String providerResourceId) {
    if (providerResourceId == null) {
      return "";
    }
    return poolToken(providerResourceId)
        .map(pool -> providerResourceId.replace(POOL_PART + pool, POOL_PART + Masking.token(pool)))
        .orElse(providerResourceId);
  }

  /** {@code local:0} + {@code pool-x} → {@code local:0;pooltok:pool-x}. */
  public static String encodePooled(String providerResourceId, String poolToken) {
    return providerResourceId.isEmpty()
        ? POOL_PART + poolToken
        : providerResourceId + ";" + POOL_PART + poolToken;
  }
}
