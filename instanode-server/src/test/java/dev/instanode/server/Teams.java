package dev.instanode.server;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import java.util.Map;
import java.util.UUID;

/** Bootstraps a team the way `instanode admin create-team` does, for tests. */
final class Teams {
  private Teams() {}

  static TeamBootstrap.Bootstrapped create(Map<String, String> env, Tier tier) {
    try (PlatformDatabase db = PlatformDatabase.connect(TestApplications.platformUrl(env), 2);
        AuditLog audit = new AuditLog(db.jdbi())) {
      String email = "owner-" + UUID.randomUUID() + "@example.com";
      return new TeamBootstrap(db.jdbi(), new IdentityRepository(db.jdbi()), audit)
          .create(email, tier, "team " + email);
    }
  }

  static Map<String, String> bearer(String key) {
    return Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json");
  }
}
