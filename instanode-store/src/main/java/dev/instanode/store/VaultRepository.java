package dev.instanode.store;

import dev.instanode.core.TeamId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@code vault_secrets}: a team's sealed secrets, versioned per env and key. */
public final class VaultRepository {
  private final Jdbi jdbi;

  public VaultRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One stored version, its value still sealed. */
  public record Version(String env, String key, int version, String sealed, Instant createdAt) {}

  /** A key as a list shows it: its newest version, never a value. */
  public record Listing(String key, int version, int versions, Instant updatedAt) {}

  /** Distinct live keys across every env: what the plan's {@code vault.entries} counts. */
  public static int liveKeys(Handle h, TeamId team) {
    return h.createQuery(
            "SELECT count(*) FROM (SELECT DISTINCT env, key FROM vault_secrets"
                + " WHERE team_id = :team AND deleted_at IS NULL) k")
        .bind("team", team.value())
        .mapTo(Integer.class)
        .one();
  }

  public static boolean isLive(Handle h, TeamId team, String env, String key) {
    return h.createQuery(
            "SELECT EXISTS (SELECT 1 FROM vault_secrets WHERE team_id = :team AND env = :env"
                + " AND key = :key AND deleted_at IS NULL)")
        .bind("team", team.value())
        .bind("env", env)
        .bind("key", key)
        .mapTo(Boolean.class)
        .one();
  }

  /**
   * Stores the next version (one past any ever written, deleted ones included); the caller holds
   * the team's lock, so two writers cannot take the same number.
   */
  public static Version put(
      Handle h, TeamId team, String env, String key, String sealed, Optional<UUID> by) {
    return h.createQuery(
            "INSERT INTO vault_secrets (team_id, env, key, version, value_encrypted, created_by)"
                + " SELECT :team, :env, :key, coalesce(max(version), 0) + 1, :sealed, :by"
                + " FROM vault_secrets WHERE team_id = :team AND env = :env AND key = :key"
                + " RETURNING env, key, version, value_encrypted, created_at")
        .bind("team", team.value())
        .bind("env", env)
        .bind("key", key)
        .bind("sealed", sealed)
        .bind("by", by.orElse(null))
        .map(VaultRepository::version)
        .one();
  }

  /** The newest live version, or the one asked for while the key is live. */
  public Optional<Version> get(TeamId team, String env, String key, Optional<Integer> version) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT env, key, version, value_encrypted, created_at FROM vault_secrets"
                    + " WHERE team_id = :team AND env = :env AND key = :key AND deleted_at IS NULL"
                    + " AND (CAST(:version AS integer) IS NULL OR version = :version)"
                    + " ORDER BY version DESC LIMIT 1")
            .bind("team", team.value())
            .bind("env", env)
            .bind("key", key)
            .bind("version", version.orElse(null))
            .map(VaultRepository::version)
            .findOne());
  }

  /** Deletes every version of a live key; how many were live. */
  public int delete(TeamId team, String env, String key) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE vault_secrets SET deleted_at = now() WHERE team_id = :team AND env = :env"
                    + " AND key = :key AND deleted_at IS NULL")
            .bind("team", team.value())
            .bind("env", env)
            .bind("key", key)
            .execute());
  }

  /** The env's live keys, by name. */
  public List<Listing> list(TeamId team, String env) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT key, max(version) AS version, count(*) AS versions,"
                    + " max(created_at) AS updated_at FROM vault_secrets WHERE team_id = :team"
                    + " AND env = :env AND deleted_at IS NULL GROUP BY key ORDER BY key")
            .bind("team", team.value())
            .bind("env", env)
            .map((rs, ctx) ->
                new Listing(
                    rs.getString("key"),
                    rs.getInt("version"),
                    rs.getInt("versions"),
                    rs.getTimestamp("updated_at").toInstant()))
            .list());
  }

  /** The newest sealed value of each of {@code keys} that is live in the env. */
  public Map<String, String> newest(TeamId team, String env, Collection<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h ->
        h.createQuery(
                "SELECT DISTINCT ON (key) key, value_encrypted FROM vault_secrets"
                    + " WHERE team_id = :team AND env = :env AND key = ANY(:keys)"
                    + " AND deleted_at IS NULL ORDER BY key, version DESC")
            .bind("team", team.value())
            .bind("env", env)
            .bindArray("keys", String.class, List.copyOf(keys))
            .map((rs, ctx) -> Map.entry(rs.getString("key"), rs.getString("value_encrypted")))
            .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  /** Every secret of a team being tombstoned, every version. */
  public static void deleteAll(Handle h, TeamId team) {
    h.createUpdate("DELETE FROM vault_secrets WHERE team_id = :team")
        .bind("team", team.value())
        .execute();
  }

  private static Version version(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Version(
        rs.getString("env"),
        rs.getString("key"),
        rs.getInt("version"),
        rs.getString("value_encrypted"),
        rs.getTimestamp("created_at").toInstant());
  }
}
