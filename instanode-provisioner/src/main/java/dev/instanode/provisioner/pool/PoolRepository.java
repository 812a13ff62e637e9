package dev.instanode.provisioner.pool;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** {@code provisioner.pool_items}. Replicas coordinate only through these statements. */
public final class PoolRepository {
  private static final String ITEM_COLUMNS =
      "id, resource_type, pool_token, provider_resource_id, connection_url, key_prefix, conn_limit";

  private final Jdbi jdbi;

  public PoolRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public void insertReady(
      ResourceType type,
      PoolToken token,
      String providerResourceId,
      String encryptedUrl,
      Optional<String> keyPrefix,
      OptionalLong connLimit) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "INSERT INTO pool_items (resource_type, pool_token, provider_resource_id,"
                    + " connection_url, key_prefix, conn_limit) VALUES (:type, :token, :prid,"
                    + " :url, :prefix, :limit)")
            .bind("type", type.wireName())
            .bind("token", token.value())
            .bind("prid", providerResourceId)
            .bind("url", encryptedUrl)
            .bind("prefix", keyPrefix.orElse(null))
            .bind("limit", connLimit.isPresent() ? connLimit.getAsLong() : null)
            .execute());
  }

  /**
   * Takes the oldest ready item and binds it to {@code resource} in one statement. SKIP LOCKED lets
   * concurrent claimers pass each other instead of queueing on, or sharing, one row.
   */
  public Optional<PoolItem> claim(ResourceType type, ResourceToken resource) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "UPDATE pool_items SET status = 'assigned', assigned_at = now(),"
                    + " bound_token = :bound WHERE id = (SELECT id FROM pool_items"
                    + " WHERE resource_type = :type AND status = 'ready'"
                    + " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "
                    + ITEM_COLUMNS)
            .bind("bound", resource.value())
            .bind("type", type.wireName())
            .map((rs, ctx) ->
                new PoolItem(
                    rs.getObject("id", UUID.class),
                    ResourceType.fromWire(rs.getString("resource_type")),
                    new PoolToken(rs.getString("pool_token")),
                    rs.getString("provider_resource_id"),
                    rs.getString("connection_url"),
                    Optional.ofNullable(rs.getString("key_prefix")),
                    rs.getObject("conn_limit") == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(rs.getLong("conn_limit"))))
            .findOne());
  }

  /** Marks an item unusable; the reaper frees its infrastructure later. */
  public void discard(UUID id) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE pool_items SET status = 'failed', assigned_at = now() WHERE id = :id")
            .bind("id", id)
            .execute());
  }

  public int countReady(ResourceType type) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT count(*) FROM pool_items WHERE resource_type = :type"
                    + " AND status = 'ready'")
            .bind("type", type.wireName())
            .mapTo(Integer.class)
            .one());
  }

  public record FailedItem(
      UUID id, ResourceType type, PoolToken poolToken, String providerResourceId) {}

  public List<FailedItem> failedOlderThan(Duration grace, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, resource_type, pool_token, provider_resource_id FROM pool_items"
                    + " WHERE status = 'failed' AND assigned_at < now() - :grace"
                    + " ORDER BY assigned_at LIMIT :limit")
            .bind("grace", grace)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new FailedItem(
                    rs.getObject("id", UUID.class),
                    ResourceType.fromWire(rs.getString("resource_type")),
                    new PoolToken(rs.getString("pool_token")),
                    rs.getString("provider_resource_id")))
            .list());
  }

  /** Deletes a failed row; only ever called after its infrastructure is gone. */
  public boolean deleteFailed(UUID id) {
    return jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM pool_items WHERE id = :id AND status = 'failed'")
            .bind("id", id)
            .execute())
        == 1;
  }

  /**
   * Forgets an assigned item whose infrastructure was just dropped with the resource it was bound
   * to; true when a row went. SKIP LOCKED: the worker's orphan reaper may hold the row while it
   * drops the item itself, and it deletes the row then.
   */
  public boolean forgetDropped(PoolToken token, ResourceToken resource) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "DELETE FROM pool_items WHERE id IN (SELECT id FROM pool_items"
                    + " WHERE pool_token = :token AND status = 'assigned'"
                    + " AND bound_token = :bound FOR UPDATE SKIP LOCKED)")
            .bind("token", token.value())
            .bind("bound", resource.value())
            .execute())
        == 1;
  }

  public Map<ResourceType, Long> assignedOlderThan(Duration age) {
    return jdbi.withHandle(h ->
        h
            .createQuery(
                "SELECT resource_type, count(*) AS n FROM pool_items WHERE status = 'assigned'"
                    + " AND assigned_at < now() - :age GROUP BY resource_type")
            .bind("age", age)
            .map((rs, ctx) -> Map.entry(rs.getString("resource_type"), rs.getLong("n")))
            .list()
            .stream()
            .collect(
                Collectors.toMap(e -> ResourceType.fromWire(e.getKey()), Map.Entry::getValue)));
  }

  /**
   * Runs {@code work} only if no other replica is refilling {@code type} right now, so two replicas
   * never both top up the same shortfall.
   */
  public boolean withRefillLock(ResourceType type, Runnable work) {
    return jdbi.withHandle(h -> {
      String key = "instanode.pool_refill." + type.wireName();
      boolean locked =
          h.createQuery("SELECT pg_try_advisory_lock(hashtext(:key))")
              .bind("key", key)
              .mapTo(Boolean.class)
              .one();
      if (!locked) {
        return false;
      }
      try {
        work.run();
        return true;
      } finally {
        h.createQuery("SELECT pg_advisory_unlock(hashtext(:key))")
            .bind("key", key)
            .mapTo(Boolean.class)
            .one();
      }
    });
  }
}
