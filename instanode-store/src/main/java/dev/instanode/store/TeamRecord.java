package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;

public record TeamRecord(TeamId id, String name, Tier planTier, String status) {
  public TeamRecord {
    requireNonNull(id, "id is null");
    requireNonNull(name, "name is null");
    requireNonNull(planTier, "planTier is null");
    requireNonNull(status, "status is null");
  }
}
