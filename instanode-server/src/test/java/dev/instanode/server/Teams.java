package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.core.auth.HmacJwt;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Bootstraps a team the way `instanode admin create-team` does, for tests. */
final class Teams {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Teams() {}

  static TeamBootstrap.Bootstrapped create(Map<String, String> env, Tier tier) {
    try (PlatformDatabase db = PlatformDatabase.connect(TestApplications.platformUrl(env), 2);
        AuditLog audit = new AuditLog(db.jdbi())) {
      String email = "owner-" + UUID.randomUUID() + "@example.com";
      return new TeamBootstrap(db.jdbi(), new IdentityRepository(db.jdbi()), audit)
          .create(email, tier, "team " + email);
    }
  }

  /**
   * Adds a member with {@code role} to the team straight in the platform database (no invitation),
   * and returns an API key of theirs.
   */
  static String memberKey(Map<String, String> env, TeamId team, TeamRole role) {
    try (PlatformDatabase db = PlatformDatabase.connect(TestApplications.platformUrl(env), 2)) {
      IdentityRepository identities = new IdentityRepository(db.jdbi());
      String key = ApiKeys.generate();
      db.jdbi()
          .useTransaction(h -> {
            UUID user =
                h.createQuery(
                        "INSERT INTO users (team_id, email, role) VALUES (:team, :email, :role)"
                            + " RETURNING id")
                    .bind("team", team.value())
                    .bind("email", role.wireName() + "-" + UUID.randomUUID() + "@example.com")
                    .bind("role", role.wireName())
                    .mapTo(UUID.class)
                    .one();
            identities.insertApiKey(h, team, Optional.of(user), role.wireName(), key);
          });
      return key;
    }
  }

  /** A session for the team's owner, as signing in would give (signed with the api's secret). */
  static String session(Map<String, String> env, TeamBootstrap.Bootstrapped team) {
    Config config = Config.from(env);
    return new SessionTokens(
            new HmacJwt(config.jwtSecret(), Clock.systemUTC()), config.publicBaseUrl())
        .issue(team.owner().id(), team.team().id(), team.owner().email());
  }

  static Map<String, String> bearer(String key) {
    return Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json");
  }

  /**
   * Claims an anonymous resource (its provision reply) into a new free team, as its agent would:
   * the claim reply, with the team's {@code api_key} and the owner's {@code session_token}.
   */
  static JsonNode claim(HttpJson http, JsonNode made) {
    String email = "claimed-" + UUID.randomUUID() + "@example.com";
    HttpResponse<String> claimed =
        http.postJson(
            "/claim",
            "{\"token\":\""
                + made.get("upgrade_jwt").asString()
                + "\",\"email\":\""
                + email
                + "\"}");
    assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
    return JSON.readTree(claimed.body());
  }
}
