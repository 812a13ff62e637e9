package dev.instanode.store;

import dev.instanode.core.ResourceId;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

  /** A live key as a request presents it. */
  public record ApiKeyRecord(
      UUID id,
      TeamId teamId,
      Optional<UUID> userId,
      String name,
      Set<String> scopes,
      Optional<Instant> lastUsedAt,
      TeamRole role,
      Optional<ResourceId> limitedTo) {}

  /** A key as its team's list shows it; never its secret or hash. */
  public record ApiKeyListing(
      UUID id,
      String name,
      Optional<String> prefix,
      List<String> scopes,
      Instant createdAt,
      Optional<Instant> lastUsedAt,
      Optional<Instant> expiresAt,
      Optional<UUID> createdBy) {}

  /**
   * A key to store: only its hash and the prefix a list shows.
   *
   * @param expiresAt when it stops working; empty for a key that lives until revoked
   * @param scopes {@code read}, {@code write} or both
   * @param parent the key it was minted with: revoked with it, never outliving it
   */
  public record NewApiKey(
      TeamId team,
      Optional<UUID> user,
      String name,
      String keyHash,
      Optional<Instant> expiresAt,
      List<String> scopes,
      Optional<String> prefix,
      Optional<UUID> parent) {}

  /** A key that lives until revoked, with both scopes; stored as its hash and prefix. */
  public UUID insertApiKey(Handle h, TeamId team, Optional<UUID> user, String name, String key) {
    return insertApiKey(
        h,
        new NewApiKey(
            team,
            user,
            name,
            ApiKeys.hash(key),
            Optional.empty(),
            List.of("read", "write"),
            Optional.of(ApiKeys.displayPrefix(key)),
            Optional.empty()));
  }

  public UUID insertApiKey(Handle h, NewApiKey k) {
    return h.createQuery(
            "INSERT INTO api_keys (team_id, user_id, name, key_hash, expires_at, scopes,"
                + " key_prefix, parent_key_id) VALUES (:team, :user, :name, :hash, :expires,"
                + " :scopes, :prefix, :parent) RETURNING id")
        .bind("team", k.team().value())
        .bind("user", k.user().orElse(null))
        .bind("name", k.name())
        .bind("hash", k.keyHash())
        .bind("expires", k.expiresAt().map(Timestamp::from).orElse(null))
        .bindArray("scopes", String.class, k.scopes())
        .bind("prefix", k.prefix().orElse(null))
        .bind("parent", k.parent().orElse(null))
        .mapTo(UUID.class)
        .one();
  }

  public UUID insertApiKey(NewApiKey k) {
    return jdbi.withHandle(h -> insertApiKey(h, k));
  }

  /**
   * A key limited to one resource, held by one of the platform's bindings of it (read and write, no
   * user, no expiry): the routes of that resource's data accept it, every other route refuses it.
   * Stored as its hash and prefix.
   */
  public static UUID insertBindingKey(
      Handle h, TeamId team, ResourceId resource, String bindingId, String name, String key) {
    return h.createQuery(
            "INSERT INTO api_keys (team_id, name, key_hash, scopes, key_prefix, resource_id,"
                + " binding_id) VALUES (:team, :name, :hash, ARRAY['read', 'write'], :prefix,"
                + " :resource, :binding) RETURNING id")
        .bind("team", team.value())
        .bind("name", name)
        .bind("hash", ApiKeys.hash(key))
        .bind("prefix", ApiKeys.displayPrefix(key))
        .bind("resource", resource.value())
        .bind("binding", bindingId)
        .mapTo(UUID.class)
        .one();
  }

  /** Revokes the live key of one binding of the resource; false when it has none. */
  public static boolean revokeBindingKey(Handle h, ResourceId resource, String bindingId) {
    return h.createUpdate(
                "UPDATE api_keys SET revoked_at = now() WHERE resource_id = :resource"
                    + " AND binding_id = :binding AND revoked_at IS NULL")
            .bind("resource", resource.value())
            .bind("binding", bindingId)
            .execute()
        > 0;
  }

  /** Revokes every live key limited to the resource (its bindings' keys); how many. */
  public static int revokeResourceKeys(Handle h, ResourceId resource) {
    return h.createUpdate(
            "UPDATE api_keys SET revoked_at = now() WHERE resource_id = :resource"
                + " AND revoked_at IS NULL")
        .bind("resource", resource.value())
        .execute();
  }

  /**
   * Looks a live key up by its hash; the hash comparison happens in the index, never in Java. A
   * read only: when it was last used is written apart ({@link #touchApiKey}), off the request path.
   */
  public Optional<ApiKeyRecord> apiKeyByHash(String keyHash) {
    // A key acts with its creator's role now, so a demotion reaches the creator's keys at once.
    // A key made without a user (none are any more) acts as an admin: never as an owner.
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT k.id, k.team_id, k.user_id, k.name, k.scopes, k.last_used_at, u.role,"
                    + " k.resource_id"
                    + " FROM api_keys k LEFT JOIN users u ON u.id = k.user_id"
                    + " JOIN teams t ON t.id = k.team_id AND t.status = 'active'"
                    + " WHERE k.key_hash = :hash AND k.revoked_at IS NULL"
                    + " AND (k.expires_at IS NULL OR k.expires_at > now())"
                    + " AND (k.user_id IS NULL OR u.team_id = k.team_id)")
            .bind("hash", keyHash)
            .map((rs, ctx) ->
                new ApiKeyRecord(
                    rs.getObject("id", UUID.class),
                    new TeamId(rs.getObject("team_id", UUID.class)),
                    Optional.ofNullable(rs.getObject("user_id", UUID.class)),
                    rs.getString("name"),
                    Set.copyOf(Arrays.asList((String[]) rs.getArray("scopes").getArray())),
                    Optional.ofNullable(rs.getTimestamp("last_used_at")).map(Timestamp::toInstant),
                    Optional.ofNullable(rs.getString("role"))
                        .map(TeamRole::fromStored)
                        .orElse(TeamRole.ADMIN),
                    Optional.ofNullable(rs.getObject("resource_id", UUID.class))
                        .map(ResourceId::new)))
            .findOne());
  }

  /** The user's role in the team, while they are in it and the team is not being deleted. */
  public Optional<TeamRole> memberRole(UUID user, TeamId team) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT u.role FROM users u JOIN teams t ON t.id = u.team_id"
                    + " AND t.status = 'active' WHERE u.id = :user AND u.team_id = :team")
            .bind("user", user)
            .bind("team", team.value())
            .mapTo(String.class)
            .findOne()
            .map(TeamRole::fromStored));
  }

  /**
   * Whether the key still works, by the same rules a request is authenticated by: not revoked, not
   * expired, its team active and its user still in it.
   */
  public boolean apiKeyLive(UUID id) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT EXISTS (SELECT 1 FROM api_keys k"
                    + " JOIN teams t ON t.id = k.team_id AND t.status = 'active'"
                    + " LEFT JOIN users u ON u.id = k.user_id"
                    + " WHERE k.id = :id AND k.revoked_at IS NULL"
                    + " AND (k.expires_at IS NULL OR k.expires_at > now())"
                    + " AND (k.user_id IS NULL OR u.team_id = k.team_id))")
            .bind("id", id)
            .mapTo(Boolean.class)
            .one());
  }

  /** Records a use, at most once a minute a key whatever the number of processes. */
  public void touchApiKey(UUID id) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE api_keys SET last_used_at = now() WHERE id = :id"
                    + " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
            .bind("id", id)
            .execute());
  }

  /**
   * The team's live keys, newest first, after the cursor ({@code created_at}, {@code id}). A
   * binding's key is not among them: the platform that bound it owns it, and its unbind revokes it
   * (one revoked here would leave the platform handing out dead credentials).
   */
  public List<ApiKeyListing> apiKeys(
      TeamId team, Optional<ResourceRepository.Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        ResourceRepository.Keyset.bindAfter(
                h.createQuery(
                        "SELECT id, name, key_prefix, scopes, created_at, last_used_at, expires_at, user_id"
                            + " FROM api_keys WHERE team_id = :team AND revoked_at IS NULL"
                            + " AND resource_id IS NULL"
                            + " AND (expires_at IS NULL OR expires_at > now())"
                            + " AND (CAST(:at AS timestamptz) IS NULL OR (created_at, id) < (:at, :id))"
                            + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                    .bind("team", team.value()),
                after)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new ApiKeyListing(
                    rs.getObject("id", UUID.class),
                    rs.getString("name"),
                    Optional.ofNullable(rs.getString("key_prefix")),
                    List.of((String[]) rs.getArray("scopes").getArray()),
                    rs.getTimestamp("created_at").toInstant(),
                    Optional.ofNullable(rs.getTimestamp("last_used_at")).map(Timestamp::toInstant),
                    Optional.ofNullable(rs.getTimestamp("expires_at")).map(Timestamp::toInstant),
                    Optional.ofNullable(rs.getObject("user_id", UUID.class))))
            .list());
  }

  /**
   * Revokes one of the team's live keys (never a binding's) and every key minted from it, at any
   * depth; 0 when the team has no such live key (or, with {@code ownedBy}, none of that user's),
   * else how many were revoked.
   */
  public int revokeApiKey(TeamId team, UUID id, Optional<UUID> ownedBy) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "WITH RECURSIVE tree AS ("
                    + " SELECT id FROM api_keys WHERE id = :id AND team_id = :team"
                    + " AND revoked_at IS NULL AND resource_id IS NULL"
                    + " AND (CAST(:owner AS uuid) IS NULL OR user_id = :owner)"
                    + " UNION SELECT k.id FROM api_keys k JOIN tree t ON k.parent_key_id = t.id)"
                    + " UPDATE api_keys SET revoked_at = now()"
                    + " WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL")
            .bind("id", id)
            .bind("team", team.value())
            .bind("owner", ownedBy.orElse(null))
            .execute());
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

  /** {@link #lockPlan}, for a team that is active (not being deleted, not a tombstone). */
  public static Optional<Tier> lockPlanIfActive(Handle h, TeamId team) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery(
            "SELECT plan_tier FROM teams WHERE id = :id AND status = 'active' FOR UPDATE")
        .bind("id", team.value())
        .mapTo(String.class)
        .findOne()
        .map(Tier::fromWire);
  }

  /** Whether a statement failed on a unique constraint (SQLSTATE 23505). */
  public static boolean isUniqueViolation(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  public static void setPlan(Handle h, TeamId team, Tier tier) {
    h.createUpdate("UPDATE teams SET plan_tier = :tier, updated_at = now() WHERE id = :id")
        .bind("tier", tier.wireName())
        .bind("id", team.value())
        .execute();
  }

  /** A team as its members see and change it. {@code settings} is a JSON object. */
  public record TeamProfile(
      TeamId id,
      String name,
      Tier planTier,
      String status,
      String defaultEnv,
      String settings,
      Instant createdAt) {}

  public Optional<TeamProfile> teamProfile(TeamId id) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, name, plan_tier, status, default_env, settings::text AS settings,"
                    + " created_at FROM teams WHERE id = :id")
            .bind("id", id.value())
            .map((rs, ctx) ->
                new TeamProfile(
                    new TeamId(rs.getObject("id", UUID.class)),
                    rs.getString("name"),
                    Tier.fromWire(rs.getString("plan_tier")),
                    rs.getString("status"),
                    rs.getString("default_env"),
                    rs.getString("settings"),
                    rs.getTimestamp("created_at").toInstant()))
            .findOne());
  }

  /** Sets what is given and leaves the rest; {@code settings} is a JSON object. */
  public void updateTeam(
      TeamId id, Optional<String> name, Optional<String> defaultEnv, Optional<String> settings) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE teams SET name = coalesce(:name, name),"
                    + " default_env = coalesce(:env, default_env),"
                    + " settings = coalesce(CAST(:settings AS jsonb), settings), updated_at = now()"
                    + " WHERE id = :id")
            .bind("name", name.orElse(null))
            .bind("env", defaultEnv.orElse(null))
            .bind("settings", settings.orElse(null))
            .bind("id", id.value())
            .execute());
  }

  /** A member as the team's list shows them. */
  public record MemberListing(
      UUID userId,
      String email,
      TeamRole role,
      boolean primary,
      boolean emailVerified,
      Instant createdAt) {}

  /** The team's members, oldest first, after the cursor ({@code created_at}, {@code id}). */
  public List<MemberListing> members(
      TeamId team, Optional<ResourceRepository.Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        ResourceRepository.Keyset.bindAfter(
                h.createQuery(
                        "SELECT id, email, role, is_primary, email_verified, created_at FROM users"
                            + " WHERE team_id = :team"
                            + " AND (CAST(:at AS timestamptz) IS NULL OR (created_at, id) > (:at, :id))"
                            + " ORDER BY created_at, id LIMIT :limit")
                    .bind("team", team.value()),
                after)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new MemberListing(
                    rs.getObject("id", UUID.class),
                    rs.getString("email"),
                    TeamRole.fromStored(rs.getString("role")),
                    rs.getBoolean("is_primary"),
                    rs.getBoolean("email_verified"),
                    rs.getTimestamp("created_at").toInstant()))
            .list());
  }

  /** The member's role, their row locked for a change in the caller's transaction. */
  public static Optional<TeamRole> lockMember(Handle h, TeamId team, UUID user) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery("SELECT role FROM users WHERE id = :user AND team_id = :team FOR UPDATE")
        .bind("user", user)
        .bind("team", team.value())
        .mapTo(String.class)
        .findOne()
        .map(TeamRole::fromStored);
  }

  public static int owners(Handle h, TeamId team) {
    return h.createQuery("SELECT count(*) FROM users WHERE team_id = :team AND role = 'owner'")
        .bind("team", team.value())
        .mapTo(Integer.class)
        .one();
  }

  public static int memberCount(Handle h, TeamId team) {
    return h.createQuery("SELECT count(*) FROM users WHERE team_id = :team")
        .bind("team", team.value())
        .mapTo(Integer.class)
        .one();
  }

  /**
   * Sets a member's role. The primary user (the team's contact) is always an owner: when the
   * primary stops being one, the longest-standing other owner becomes primary.
   */
  public static void setRole(Handle h, TeamId team, UUID user, TeamRole role) {
    h.createUpdate(
            "UPDATE users SET role = :role,"
                + " is_primary = CASE WHEN :role = 'owner' THEN is_primary ELSE false END"
                + " WHERE id = :user AND team_id = :team")
        .bind("role", role.wireName())
        .bind("user", user)
        .bind("team", team.value())
        .execute();
    keepPrimary(h, team);
  }

  /**
   * Takes a member out of the team: every key they made is revoked first (a key outliving its user
   * would otherwise act for nobody), then their row goes, and with it their sessions.
   */
  public static void removeMember(Handle h, TeamId team, UUID user) {
    h.createUpdate(
            "UPDATE api_keys SET revoked_at = now() WHERE user_id = :user AND team_id = :team"
                + " AND revoked_at IS NULL")
        .bind("user", user)
        .bind("team", team.value())
        .execute();
    h.createUpdate("DELETE FROM users WHERE id = :user AND team_id = :team")
        .bind("user", user)
        .bind("team", team.value())
        .execute();
    keepPrimary(h, team);
  }

  private static void keepPrimary(Handle h, TeamId team) {
    h.createUpdate(
            "UPDATE users SET is_primary = true WHERE id = (SELECT id FROM users"
                + " WHERE team_id = :team AND role = 'owner' ORDER BY created_at, id LIMIT 1)"
                + " AND NOT EXISTS (SELECT 1 FROM users WHERE team_id = :team AND is_primary)")
        .bind("team", team.value())
        .execute();
  }

  /** Whoever holds this address, in any team. */
  public static Optional<UserRecord> userByEmail(Handle h, String email) {
    return h.createQuery(
            "SELECT id, team_id, email, role FROM users WHERE lower(email) = lower(:e)")
        .bind("e", email)
        .map(IdentityRepository::user)
        .findOne();
  }

  public Optional<UserRecord> userByEmail(String email) {
    return jdbi.withHandle(h -> userByEmail(h, email));
  }

  /** A member who proved their address (an invitation reached them). */
  public static UserRecord insertMember(Handle h, TeamId team, String email, TeamRole role) {
    return h.createQuery(
            "INSERT INTO users (team_id, email, role, email_verified) VALUES (:team, :email,"
                + " :role, true) RETURNING id, team_id, email, role")
        .bind("team", team.value())
        .bind("email", email)
        .bind("role", role.wireName())
        .map(IdentityRepository::user)
        .one();
  }

  /** The address answered a sign-in link. */
  public void markEmailVerified(UUID user) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE users SET email_verified = true WHERE id = :id AND NOT email_verified")
            .bind("id", user)
            .execute());
  }

  /**
   * Marks an active team for deletion: from now no key or session of it works, and {@code
   * team_deletion} tears everything down. False when it is not active (already being deleted).
   */
  public boolean requestDeletion(TeamId team) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE teams SET status = 'deletion_pending', deletion_requested_at = now(),"
                    + " updated_at = now() WHERE id = :id AND status = 'active'")
            .bind("id", team.value())
            .execute())
        == 1;
  }

  /** Teams waiting for their teardown, longest-waiting first. */
  public List<TeamId> pendingDeletion(int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id FROM teams WHERE status = 'deletion_pending'"
                    + " ORDER BY deletion_requested_at, id LIMIT :limit")
            .bind("limit", limit)
            .mapTo(UUID.class)
            .map(TeamId::new)
            .list());
  }

  /** A deletion's figures so far. */
  public record DeletionProgress(
      Instant requestedAt, int resourcesDestroyed, int namespacesDeleted) {}

  /** The team row locked, when it is still waiting for its deletion to finish. */
  public static Optional<DeletionProgress> lockPendingDeletion(Handle h, TeamId team) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery(
            "SELECT deletion_requested_at, deletion_resources_destroyed,"
                + " deletion_namespaces_deleted FROM teams WHERE id = :id"
                + " AND status = 'deletion_pending' FOR UPDATE")
        .bind("id", team.value())
        .map((rs, ctx) ->
            new DeletionProgress(
                rs.getTimestamp("deletion_requested_at").toInstant(),
                rs.getInt("deletion_resources_destroyed"),
                rs.getInt("deletion_namespaces_deleted")))
        .findOne();
  }

  /** Counts one more resource torn down for the team's deletion, in the caller's transaction. */
  public static void countDestroyedResource(Handle h, TeamId team) {
    h.createUpdate(
            "UPDATE teams SET deletion_resources_destroyed = deletion_resources_destroyed + 1"
                + " WHERE id = :id")
        .bind("id", team.value())
        .execute();
  }

  /**
   * In the caller's transaction (the one removing the stack's row): counts one more namespace
   * deleted for the team's deletion, if the team is being deleted.
   */
  static void countDeletedNamespace(Handle h, TeamId team) {
    h.createUpdate(
            "UPDATE teams SET deletion_namespaces_deleted = deletion_namespaces_deleted + 1"
                + " WHERE id = :id AND status = 'deletion_pending'")
        .bind("id", team.value())
        .execute();
  }

  /**
   * The last step, in the caller's transaction: the team stays as a tombstone (its audit trail
   * still names it); its keys are revoked and its people removed, so their addresses are free.
   */
  public static void tombstone(Handle h, TeamId team) {
    h.createUpdate(
            "UPDATE teams SET status = 'tombstoned', tombstoned_at = now(), updated_at = now()"
                + " WHERE id = :id")
        .bind("id", team.value())
        .execute();
    h.createUpdate(
            "UPDATE api_keys SET revoked_at = now() WHERE team_id = :id AND revoked_at IS NULL")
        .bind("id", team.value())
        .execute();
    h.createUpdate("DELETE FROM users WHERE team_id = :id").bind("id", team.value()).execute();
  }
}
