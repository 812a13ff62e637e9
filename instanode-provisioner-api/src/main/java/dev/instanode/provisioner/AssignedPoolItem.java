package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A hot-pool item handed to a resource and still tracked by the provisioner, until the worker has
 * seen that resource own it (seed 002's assigned half).
 *
 * @param providerResourceId where the item lives, naming its pool token: what its resource records
 */
public record AssignedPoolItem(
    UUID id,
    ResourceType type,
    PoolToken poolToken,
    ResourceToken boundToken,
    ProviderResourceId providerResourceId,
    Instant assignedAt) {
  public AssignedPoolItem {
    requireNonNull(id, "id is null");
    requireNonNull(type, "type is null");
    requireNonNull(poolToken, "poolToken is null");
    requireNonNull(boundToken, "boundToken is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(assignedAt, "assignedAt is null");
    if (!providerResourceId.pool().equals(Optional.of(poolToken))) {
      throw new IllegalArgumentException(
          "the item's provider resource id must name its pool token");
    }
  }
}
