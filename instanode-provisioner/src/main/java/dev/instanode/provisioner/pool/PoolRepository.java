package dev.instanode.provisioner.pool;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.AssignedPoolItem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** {@code provisioner.pool_items}. Replicas coordinate only through these statements. */
public final class PoolRepository {
  private static final String ITEM_COLUMNS =
      "id, resource_type, pool_token, provider_resource_id, connection_url, key_prefix, conn_limit,"
          + " grade";

  private final Jdbi jdbi;

  public PoolRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records an item before anything of it exists: a crash at any later step leaves this row, which
   * names the infrastructure by its pool token, for the reaper.
   */
  public void insertCreating(ResourceType type, PoolToken token) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "INSERT INTO pool_items (resource_type, pool_token, status) VALUES (:type,"
                    + " :token, 'creating')")
            .bind("type", type.wireName())
            .bind("token", token.value())
            .execute());
  }

  /**
   * creating → ready with what was made. False when the row is no longer {@code creating} (the
   * reaper took it for abandoned): the caller must then drop what it made.
   */
  public boolean markReady(
      PoolToken token,
      ProviderResourceId providerResourceId,
      String encryptedUrl,
      Optional<String> keyPrefix,
      OptionalLong connLimit,
      Optional<String> grade) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE pool_items SET status = 'ready', provider_resource_id = :prid,"
                    + " connection_url = :url, key_prefix = :prefix, conn_limit = :limit,"
                    + " grade = :grade WHERE pool_token = :token AND status = 'creating'")
            .bind("token", token.value())
            .bind("prid", providerResourceId.wire())
            .bind("url", encryptedUrl)
            .bind("prefix", keyPrefix.orElse(null))
            .bind("limit", connLimit.isPresent() ? connLimit.getAsLong() : null)
            .bind("grade", grade.orElse(null))
            .execute())
        == 1;
  }

  /** creating → failed: the reaper drops whatever a failed refill left, then the row. */
  public void markCreatingFailed(PoolToken token, Optional<ProviderResourceId> providerResourceId) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE pool_items SET status = 'failed', assigned_at = now(),"
                    + " provider_resource_id = COALESCE(:prid, provider_resource_id)"
                    + " WHERE pool_token = :token AND status = 'creating'")
            .bind("prid", providerResourceId.map(ProviderResourceId::wire).orElse(null))
            .bind("token", token.value())
            .execute());
  }

  /** Deletes the row of a refill that made nothing, or whose rollback dropped what it made. */
  public void deleteCreating(PoolToken token) {
    jdbi.useHandle(h ->
        h.createUpdate("DELETE FROM pool_items WHERE pool_token = :token AND status = 'creating'")
            .bind("token", token.value())
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
                    ProviderResourceId.parse(rs.getString("provider_resource_id")),
                    rs.getString("connection_url"),
                    Optional.ofNullable(rs.getString("key_prefix")),
                    rs.getObject("conn_limit") == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(rs.getLong("conn_limit")),
                    Optional.ofNullable(rs.getString("grade"))))
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

  /**
   * An item nobody holds: discarded ({@code failed}) or never finished ({@code creating}). Its
   * placement is unknown when the refill died before the backend chose one.
   *
   * @param status {@code failed} or {@code creating}
   */
  public record AbandonedItem(
      UUID id,
      ResourceType type,
      PoolToken poolToken,
      Optional<ProviderResourceId> providerResourceId,
      String status) {}

  /**
   * Failed items discarded before {@code failedBefore} and creating items started before {@code
   * creatingBefore}, oldest first.
   */
  public List<AbandonedItem> abandoned(Instant failedBefore, Instant creatingBefore, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, resource_type, pool_token, provider_resource_id, status"
                    + " FROM pool_items WHERE (status = 'failed' AND assigned_at < :failed_before)"
                    + " OR (status = 'creating' AND created_at < :creating_before)"
                    + " ORDER BY COALESCE(assigned_at, created_at) LIMIT :limit")
            .bind("failed_before", OffsetDateTime.ofInstant(failedBefore, ZoneOffset.UTC))
            .bind("creating_before", OffsetDateTime.ofInstant(creatingBefore, ZoneOffset.UTC))
            .bind("limit", limit)
            .map((rs, ctx) ->
                new AbandonedItem(
                    rs.getObject("id", UUID.class),
                    ResourceType.fromWire(rs.getString("resource_type")),
                    new PoolToken(rs.getString("pool_token")),
                    Optional.ofNullable(rs.getString("provider_resource_id"))
                        .map(ProviderResourceId::parse),
                    rs.getString("status")))
            .list());
  }

  /**
   * creating → failed for a refill taken for abandoned, before its infrastructure is dropped; false
   * when it finished (became ready) meanwhile. A refill that finishes later then finds its row no
   * longer creating, and drops what it made instead of handing it out.
   */
  public boolean takeAbandoned(UUID id) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE pool_items SET status = 'failed', assigned_at = now()"
                    + " WHERE id = :id AND status = 'creating'")
            .bind("id", id)
            .execute())
        == 1;
  }

  /** Deletes an abandoned row; only ever called after its infrastructure is gone. */
  public boolean deleteAbandoned(UUID id) {
    return jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM pool_items WHERE id = :id AND status IN ('failed','creating')")
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

  /** Those of {@code tokens} a row tracks, in any status: the pool owns their infrastructure. */
  public Set<PoolToken> tracked(Collection<PoolToken> tokens) {
    if (tokens.isEmpty()) {
      return Set.of();
    }
    return jdbi.withHandle(h ->
        h.createQuery("SELECT pool_token FROM pool_items WHERE pool_token = ANY(:tokens)")
            .bindArray("tokens", String.class, tokens.stream().map(PoolToken::value).toList())
            .mapTo(String.class)
            .map(PoolToken::new)
            .set());
  }

  public Map<ResourceType, Long> assignedBefore(Instant cutoff) {
    return jdbi.withHandle(h ->
        h
            .createQuery(
                "SELECT resource_type, count(*) AS n FROM pool_items WHERE status = 'assigned'"
                    + " AND assigned_at < :cutoff GROUP BY resource_type")
            .bind("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
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

  /** The oldest {@code assigned} items handed out before {@code cutoff}. */
  public List<AssignedPoolItem> assignedOlderThan(Instant cutoff, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, resource_type, pool_token, provider_resource_id, bound_token,"
                    + " assigned_at FROM pool_items WHERE status = 'assigned'"
                    + " AND assigned_at < :cutoff ORDER BY assigned_at, id LIMIT :limit")
            .bind("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
            .bind("limit", limit)
            .map((rs, ctx) ->
                new AssignedPoolItem(
                    rs.getObject("id", UUID.class),
                    ResourceType.fromWire(rs.getString("resource_type")),
                    new PoolToken(rs.getString("pool_token")),
                    new ResourceToken(rs.getObject("bound_token", UUID.class)),
                    ProviderResourceId.parse(rs.getString("provider_resource_id"))
                        .pooled(new PoolToken(rs.getString("pool_token"))),
                    rs.getObject("assigned_at", OffsetDateTime.class).toInstant()))
            .list());
  }

  /**
   * Deletes the tracking row of an item its resource now owns, the infrastructure kept; only while
   * it is still assigned to {@code bound}.
   */
  public boolean releaseAssigned(UUID id, ResourceToken bound) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "DELETE FROM pool_items WHERE id = :id AND status = 'assigned'"
                    + " AND bound_token = :bound")
            .bind("id", id)
            .bind("bound", bound.value())
            .execute())
        == 1;
  }

  /**
   * Runs {@code drop} while holding the item's row lock, if the item is still assigned to {@code
   * bound} and no one else holds it (never waits), then deletes the row in the same transaction. A
   * failed drop rolls back and keeps the row. False when the item was gone or held.
   */
  public boolean reapAssigned(UUID id, ResourceToken bound, Runnable drop) {
    return jdbi.inTransaction(h -> {
      boolean locked =
          h.createQuery(
                  "SELECT id FROM pool_items WHERE id = :id AND status = 'assigned'"
                      + " AND bound_token = :bound FOR UPDATE SKIP LOCKED")
              .bind("id", id)
              .bind("bound", bound.value())
              .mapTo(UUID.class)
              .findOne()
              .isPresent();
      if (!locked) {
        return false;
      }
      drop.run();
      h.createUpdate("DELETE FROM pool_items WHERE id = :id").bind("id", id).execute();
      return true;
    });
  }
}
