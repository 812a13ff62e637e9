package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;
import java.time.Instant;
import java.util.Optional;

/**
 * One tenant's infrastructure as a backend holds it, found by the names it carries.
 *
 * @param key what its names are made from: a resource token, or a pool item's token
 * @param objects how many objects carry the key (a database and its roles; a Redis user)
 * @param createdAt when it was made, as written on the objects when they were; empty when none says
 *     (made before stamps were written, or a crash between the create and the stamp), which a sweep
 *     must read as "age unknown", never as old
 * @param pooled a hot-pool item's row tracks the key: the pool owns it, whatever the platform rows
 *     say
 */
public record InventoryItem(
    InfraKey key, int objects, Optional<Instant> createdAt, boolean pooled) {
  public InventoryItem {
    requireNonNull(key, "key is null");
    requireNonNull(createdAt, "createdAt is null");
    if (objects < 1) {
      throw new IllegalArgumentException("an inventory item has at least one object");
    }
  }
}
