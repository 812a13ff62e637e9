package dev.instanode.provisioner.pool;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceType;
import java.util.Optional;
import java.util.OptionalLong;

/** Records a ready item the way a refill does: creating first, then ready. */
final class ReadyItems {
  private ReadyItems() {}

  static void insert(
      PoolRepository items,
      ResourceType type,
      PoolToken token,
      ProviderResourceId providerResourceId,
      String encryptedUrl,
      Optional<String> keyPrefix,
      OptionalLong connLimit,
      Optional<String> grade) {
    items.insertCreating(type, token);
    if (!items.markReady(token, providerResourceId, encryptedUrl, keyPrefix, connLimit, grade)) {
      throw new IllegalStateException("the creating row was not there to mark ready");
    }
  }
}
