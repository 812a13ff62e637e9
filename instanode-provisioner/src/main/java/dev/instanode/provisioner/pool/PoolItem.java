package dev.instanode.provisioner.pool;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.engine.ResourceBackend;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One pre-made resource. {@code encryptedUrl} stays sealed until the item is handed out; {@code
 * connLimit} is the connection cap it was made with, when known; {@code grade} everything the
 * backend's regrade sets at the tier it was made for ({@link ResourceBackend#grade}).
 */
public record PoolItem(
    UUID id,
    ResourceType type,
    PoolToken poolToken,
    ProviderResourceId providerResourceId,
    String encryptedUrl,
    Optional<String> keyPrefix,
    OptionalLong connLimit,
    Optional<String> grade) {
  public PoolItem {
    requireNonNull(id, "id is null");
    requireNonNull(type, "type is null");
    requireNonNull(poolToken, "poolToken is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(encryptedUrl, "encryptedUrl is null");
    requireNonNull(keyPrefix, "keyPrefix is null");
    requireNonNull(connLimit, "connLimit is null");
    requireNonNull(grade, "grade is null");
  }
}
