package dev.instanode.store;

import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code resources} table. Every state change is guarded by the state it expects. */
public final class ResourceRepository {
  private static final String COLUMNS =
      "id, token, team_id, resource_type, name, env, tier, status, fingerprint, connection_url,"
          + " provider_resource_id, key_prefix, applied_conn_limit, storage_bytes, expires_at,"
          + " created_at";

  private final Jdbi jdbi;

  public ResourceRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Phase one of provisioning: the row exists before any infrastructure does. */
  public ResourceRecord insertPending(NewResource r) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "INSERT INTO resources (token, team_id, resource_type, name, env, tier, status,"
                    + " fingerprint, expires_at, created_request_id) VALUES (:token, :team_id,"
                    + " :type, :name, :env, :tier, 'pending', :fingerprint, :expires_at,"
                    + " :request_id) RETURNING "
                    + COLUMNS)
            .bind("token", r.token().value())
            .bind("team_id", r.teamId().map(TeamId::value).orElse(null))
            .bind("type", r.type().wireName())
            .bind("name", r.name())
            .bind("env", r.env())
            .bind("tier", r.tier().wireName())
            .bind("fingerprint", r.fingerprint().orElse(null))
            .bind("expires_at", r.expiresAt().map(Timestamp::from).orElse(null))
            .bind("request_id", r.requestId().value())
            .map(ResourceRepository::map)
            .one());
  }

  /**
   * Phase two: pending → active with the encrypted URL. Returns false when the row was no longer
   * pending (a reconciler got there first), in which case the caller must not hand out the URL.
   */
  public boolean activate(
      ResourceId id,
      String encryptedUrl,
      String providerResourceId,
      Optional<String> keyPrefix,
      Optional<Integer> appliedConnLimit) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE resources SET status = 'active', connection_url = :url,"
                    + " provider_resource_id = :prid, key_prefix = :key_prefix,"
                    + " applied_conn_limit = :limit, updated_at = now()"
                    + " WHERE id = :id AND status = 'pending'")
            .bind("url", encryptedUrl)
            .bind("prid", providerResourceId)
            .bind("key_prefix", keyPrefix.orElse(null))
            .bind("limit", appliedConnLimit.orElse(null))
            .bind("id", id.value())
            .execute())
        == 1;
  }

  /** Records where a half-made resource lives so a reconciler can find it if teardown fails. */
  public void markFailed(ResourceId id, Optional<String> providerResourceId) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE resources SET status = 'failed', connection_url = NULL,"
                    + " provider_resource_id = COALESCE(:prid, provider_resource_id),"
                    + " updated_at = now() WHERE id = :id AND status = 'pending'")
            .bind("prid", providerResourceId.orElse(null))
            .bind("id", id.value())
            .execute());
  }

  public Optional<ResourceRecord> findByToken(ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM resources WHERE token = :token")
            .bind("token", token.value())
            .map(ResourceRepository::map)
            .findOne());
  }

  public Optional<ResourceRecord> newestActiveForFingerprint(
      String fingerprint, ResourceType type, String env) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT "
                    + COLUMNS
                    + " FROM resources WHERE fingerprint = :fp AND resource_type = :type"
                    + " AND env = :env AND status = 'active' AND team_id IS NULL"
                    + " ORDER BY created_at DESC LIMIT 1")
            .bind("fp", fingerprint)
            .bind("type", type.wireName())
            .bind("env", env)
            .map(ResourceRepository::map)
            .findOne());
  }

  static ResourceRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new ResourceRecord(
        new ResourceId(rs.getObject("id", UUID.class)),
        new ResourceToken(rs.getObject("token", UUID.class)),
        Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
        ResourceType.fromWire(rs.getString("resource_type")),
        rs.getString("name"),
        rs.getString("env"),
        Tier.fromWire(rs.getString("tier")),
        ResourceStatus.fromWire(rs.getString("status")),
        Optional.ofNullable(rs.getString("fingerprint")),
        Optional.ofNullable(rs.getString("connection_url")),
        Optional.ofNullable(rs.getString("provider_resource_id")),
        Optional.ofNullable(rs.getString("key_prefix")),
        Optional.ofNullable((Integer) rs.getObject("applied_conn_limit")),
        rs.getLong("storage_bytes"),
        Optional.ofNullable(rs.getTimestamp("expires_at")).map(Timestamp::toInstant),
        rs.getTimestamp("created_at").toInstant());
  }
}
