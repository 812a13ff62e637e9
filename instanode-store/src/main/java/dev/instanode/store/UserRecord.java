package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.TeamId;
import java.util.UUID;

public record UserRecord(UUID id, TeamId teamId, String email, String role) {
  public UserRecord {
    requireNonNull(id, "id is null");
    requireNonNull(teamId, "teamId is null");
    requireNonNull(email, "email is null");
    requireNonNull(role, "role is null");
  }
}
