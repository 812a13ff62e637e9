package dev.instanode.store;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Teams, their users and their API keys: the identity aggregate. */
public final class IdentityRepository {
  private final Jdbi jdbi;

  public IdentityRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public TeamRecord createTeam(Handle h, String name, Tier tier) {
    return h.createQuery(
            "INSERT INTO teams (name, plan_tier) VALUES (:name, :tier)"
                + " RETURNING id, name, plan_tier, status")
        .bind("name", name)
        .bind("tier", tier.wireName())
        .map(IdentityRepository::team)
        .one();
  }

  public UserRecord createOwner(Handle h, TeamId team, String email) {
    return h.createQuery(
            "INSERT INTO users (team_id, email, role, is_primary) VALUES (:team, :email, 'owner',"
                + " true) RETURNING id, team_id, email, role")
        .bind("team", team.value())
        .bind("email", email)
        .map(IdentityRepository::user)
        .one();
  }

  public boolean emailExists(String email) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:e))")
            .bind("e", email)
            .mapTo(Boolean.class)
            .one());
  }

  public Optional<TeamRecord> team(TeamId id) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT id, name, plan_tier, status FROM teams WHERE id = :id")
            .bind("id", id.value())
            .map(IdentityRepository::team)
            .findOne());
  }

  public Optional<UserRecord> user(UUID id) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT id, team_id, email, role FROM users WHERE id = :id")
            .bind("id", id)
            .map(IdentityRepository::user)
            .findOne());
  }

  private static TeamRecord team(ResultSet rs, StatementContext ctx) throws SQLException {
    return new TeamRecord(
        new TeamId(rs.getObject("id", UUID.class)),
        rs.getString("name"),
        Tier.fromWire(rs.getString("plan_tier")),
        rs.getString("status"));
  }

  private static UserRecord user(ResultSet rs, StatementContext ctx) throws SQLException {
    return new UserRecord(
        rs.getObject("id", UUID.class),
        new TeamId(rs.getObject("team_id", UUID.class)),
        rs.getString("email"),
        rs.getString("role"));
  }

  public record ApiKeyRecord(UUID id, TeamId teamId, Optional<UUID> userId, String name) {}

  public UUID insertApiKey(
      Handle h, TeamId team, Optional<UUID> user, String name, String keyHash) {
    return insertApiKey(h, team, user, name, keyHash, Optional.empty());
  }

  /** {@code expiresAt}: when the key stops working; empty for a key that lives until revoked. */
  public UUID insertApiKey(
      Handle h,
      TeamId team,
      Optional<UUID> user,
      String name,
      String keyHash,
      Optional<Instant> expiresAt) {
    return h.createQuery(
            "INSERT INTO api_keys (team_id, user_id, name, key_hash, expires_at)"
                + " VALUES (:team, :user, :name, :hash, :expires) RETURNING id")
        .bind("team", team.value())
        .bind("user", user.orElse(null))
        .bind("name", name)
        .bind("hash", keyHash)
        .bind("expires", expiresAt.map(Timestamp::from).orElse(null))
        .mapTo(UUID.class)
        .one();
  }

  public UUID insertApiKey(
      TeamId team, Optional<UUID> user, String name, String keyHash, Optional<Instant> expiresAt) {
    return jdbi.withHandle(h -> insertApiKey(h, team, user, name, keyHash, expiresAt));
  }

  /** Looks a key up by its hash; the hash comparison happens in the index, never in Java. */
  public Optional<ApiKeyRecord> apiKeyByHash(String keyHash) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "UPDATE api_keys SET last_used_at = now() WHERE key_hash = :hash"
                    + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"
                    + " RETURNING id, team_id, user_id, name")
            .bind("hash", keyHash)
            .map((rs, ctx) ->
                new ApiKeyRecord(
                    rs.getObject("id", UUID.class),
                    new TeamId(rs.getObject("team_id", UUID.class)),
                    Optional.ofNullable(rs.getObject("user_id", UUID.class)),
                    rs.getString("name")))
            .findOne());
  }

  /**
   * Locks the team row for a plan change in the caller's transaction, so concurrent changes
   * serialize; waits at most 3 s for another holder. Empty when there is no such team.
   */
  public static Optional<Tier> lockPlan(Handle h, TeamId team) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery("SELECT plan_tier FROM teams WHERE id = :id FOR UPDATE")
        .bind("id", team.value())
        .mapTo(String.class)
        .findOne()
        .map(Tier::fromWire);
  }

  public static void setPlan(Handle h, TeamId team, Tier tier) {
    h.createUpdate("UPDATE teams SET plan_tier = :tier, updated_at = now() WHERE id = :id")
        .bind("tier", tier.wireName())
        .bind("id", team.value())
        .execute();
  }
}
