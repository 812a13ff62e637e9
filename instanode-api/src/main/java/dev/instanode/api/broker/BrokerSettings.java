package dev.instanode.api.broker;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.TeamId;
import java.util.Optional;

/**
 * The Open Service Broker API's settings: the platform's basic-auth credentials, and the team its
 * instances belong to (empty: the broker's own team, made on first use).
 */
public record BrokerSettings(String username, String password, Optional<TeamId> team) {
  public BrokerSettings {
    requireNonNull(username, "username is null");
    requireNonNull(password, "password is null");
    requireNonNull(team, "team is null");
    if (username.isBlank() || password.length() < 16) {
      throw new IllegalArgumentException(
          "OSB_USERNAME must be set and OSB_PASSWORD at least 16 characters");
    }
  }

  @Override
  public String toString() {
    return "BrokerSettings[username=" + username + ", password=***, team=" + team + "]";
  }
}
