package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.TeamId;
import java.util.UUID;

/**
 * One picked {@code pending_propagations} row. {@code kind} stays the raw string: a newer api may
 * enqueue a kind this build does not know.
 */
public record PendingPropagation(
    UUID id, String kind, TeamId team, String targetTier, int attempts) {
  public PendingPropagation {
    requireNonNull(id, "id is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(team, "team is null");
    requireNonNull(targetTier, "targetTier is null");
  }
}
