package dev.instanode.store;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code resources} table. Every state change is guarded by the state it expects. */
public final class ResourceRepository {
  private static final String COLUMNS =
      "id, token, team_id, resource_type, name, env, tier, status, fingerprint, connection_url,"
          + " provider_resource_id, key_prefix, applied_conn_limit, storage_bytes, storage_exceeded,"
          + " expires_at, created_at";

  /** Still-anonymous resources that work now. */
  static final String LIVE_ANONYMOUS =
      "team_id IS NULL AND status = 'active' AND (expires_at IS NULL OR expires_at > now())";

  /**
   * A sub-select that finds the active, unexpired webhook receiver {@code :token} and locks its row
   * FOR SHARE: a statement storing to the receiver waits for a delete or expiry that is changing
   * the row, then sees what it made of it.
   */
  public static final String LIVE_WEBHOOK_FOR_SHARE =
      "SELECT 1 FROM resources WHERE token = :token AND resource_type = 'webhook'"
          + " AND status = 'active' AND (expires_at IS NULL OR expires_at > now()) FOR SHARE";

  private final Jdbi jdbi;

  public ResourceRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Phase one of provisioning: the row exists before any infrastructure does. */
  public ResourceRecord insertPending(NewResource r) {
    return jdbi.withHandle(h -> insertPending(h, r));
  }

  private static ResourceRecord insertPending(Handle h, NewResource r) {
    return bindNew(
            h.createQuery(
                "INSERT INTO resources (token, team_id, resource_type, name, env, tier,"
                    + " status, fingerprint, expires_at, created_request_id) VALUES (:token,"
                    + " :team_id, :type, :name, :env, :tier, 'pending', :fingerprint,"
                    + " :expires_at, :request_id) RETURNING "
                    + COLUMNS),
            r)
        .map(ResourceRepository::map)
        .one();
  }

  /**
   * {@link #insertPending}, unless the team already holds {@code cap} live (pending or active)
   * resources of the type: empty then. The team's row is locked first, so two inserts cannot both
   * count the last free place.
   */
  public Optional<ResourceRecord> insertPendingWithin(NewResource r, long cap) {
    TeamId team = r.teamId().orElseThrow(() -> new IllegalArgumentException("no team to count"));
    return jdbi.inTransaction(h -> {
      IdentityRepository.lockPlan(h, team);
      long live =
          h.createQuery(
                  "SELECT count(*) FROM resources WHERE team_id = :team AND resource_type = :type"
                      + " AND status IN ('pending', 'active')")
              .bind("team", team.value())
              .bind("type", r.type().wireName())
              .mapTo(Long.class)
              .one();
      if (live >= cap) {
        return Optional.<ResourceRecord>empty();
      }
      return Optional.of(insertPending(h, r));
    });
  }

  private static Query bindNew(Query q, NewResource r) {
    return q.bind("token", r.token().value())
        .bind("team_id", r.teamId().map(TeamId::value).orElse(null))
        .bind("type", r.type().wireName())
        .bind("name", r.name())
        .bind("env", r.env())
        .bind("tier", r.tier().wireName())
        .bind("fingerprint", r.fingerprint().orElse(null))
        .bind("expires_at", r.expiresAt().map(Timestamp::from).orElse(null))
        .bind("request_id", r.requestId().value());
  }

  /**
   * Records a resource whose infrastructure already exists and is tracked elsewhere until this
   * commits (a claimed hot-pool item): one statement, straight to {@code active}, no pending phase.
   */
  public ResourceRecord insertActive(
      NewResource r,
      String encryptedUrl,
      ProviderResourceId providerResourceId,
      Optional<String> keyPrefix,
      Optional<Integer> appliedConnLimit) {
    return jdbi.withHandle(h ->
        bindNew(
                h.createQuery(
                    "INSERT INTO resources (token, team_id, resource_type, name, env, tier,"
                        + " status, fingerprint, expires_at, created_request_id, connection_url,"
                        + " provider_resource_id, key_prefix, applied_conn_limit) VALUES (:token,"
                        + " :team_id, :type, :name, :env, :tier, 'active', :fingerprint,"
                        + " :expires_at, :request_id, :url, :prid, :key_prefix, :limit)"
                        + " RETURNING "
                        + COLUMNS),
                r)
            .bind("url", encryptedUrl)
            .bind("prid", providerResourceId.wire())
            .bind("key_prefix", keyPrefix.orElse(null))
            .bind("limit", appliedConnLimit.orElse(null))
            .map(ResourceRepository::map)
            .one());
  }

  /**
   * Phase two: pending → active with the encrypted URL. Empty when the row was no longer pending (a
   * reconciler got there first), in which case the caller must not hand out the URL.
   */
  public Optional<ResourceRecord> activate(
      ResourceId id,
      String encryptedUrl,
      ProviderResourceId providerResourceId,
      Optional<String> keyPrefix,
      Optional<Integer> appliedConnLimit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "UPDATE resources SET status = 'active', connection_url = :url,"
                    + " provider_resource_id = :prid, key_prefix = :key_prefix,"
                    + " applied_conn_limit = :limit, updated_at = now()"
                    + " WHERE id = :id AND status = 'pending' RETURNING "
                    + COLUMNS)
            .bind("url", encryptedUrl)
            .bind("prid", providerResourceId.wire())
            .bind("key_prefix", keyPrefix.orElse(null))
            .bind("limit", appliedConnLimit.orElse(null))
            .bind("id", id.value())
            .map(ResourceRepository::map)
            .findOne());
  }

  /**
   * Records where a half-made resource lives so a reconciler can find it if teardown fails. An
   * {@code active} row moves too: activation may have committed while reporting an error, and the
   * caller has just dropped its infrastructure (an insert that reported an error may likewise have
   * committed). Terminal rows never change.
   */
  public void markFailed(ResourceToken token, Optional<ProviderResourceId> providerResourceId) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "UPDATE resources SET status = 'failed', connection_url = NULL,"
                    + " provider_resource_id = COALESCE(:prid, provider_resource_id),"
                    + " updated_at = now() WHERE token = :token AND status IN ('pending','active')")
            .bind("prid", providerResourceId.map(ProviderResourceId::wire).orElse(null))
            .bind("token", token.value())
            .execute());
  }

  public Optional<ResourceRecord> findByToken(ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM resources WHERE token = :token")
            .bind("token", token.value())
            .map(ResourceRepository::map)
            .findOne());
  }

  /** Still-anonymous, live resources among {@code tokens}. */
  public List<ResourceRecord> anonymousByTokens(List<ResourceToken> tokens) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT "
                    + COLUMNS
                    + " FROM resources WHERE token = ANY(:tokens) AND team_id IS NULL"
                    + " AND status IN ('active','paused','suspended')"
                    + " ORDER BY created_at")
            .bind("tokens", tokens.stream().map(ResourceToken::value).toArray(UUID[]::new))
            .map(ResourceRepository::map)
            .list());
  }

  /**
   * Moves anonymous resources into a team at tier {@code free}. Their expiry is kept: free is not
   * permanent, only paying is.
   */
  public int moveToTeam(Handle h, List<ResourceToken> tokens, TeamId team) {
    return h.createUpdate(
            "UPDATE resources SET team_id = :team, tier = 'free', updated_at = now()"
                + " WHERE token = ANY(:tokens) AND team_id IS NULL"
                + " AND status IN ('active','paused','suspended')")
        .bind("team", team.value())
        .bind("tokens", tokens.stream().map(ResourceToken::value).toArray(UUID[]::new))
        .execute();
  }

  /** Moves anonymous resources into a paying team: its tier, and no expiry. */
  public int moveToPayingTeam(Handle h, List<ResourceToken> tokens, TeamId team, Tier tier) {
    return h.createUpdate(
            "UPDATE resources SET team_id = :team, tier = :tier, expires_at = NULL,"
                + " updated_at = now() WHERE token = ANY(:tokens) AND team_id IS NULL"
                + " AND status IN ('active','paused','suspended')")
        .bind("team", team.value())
        .bind("tier", tier.wireName())
        .bind("tokens", tokens.stream().map(ResourceToken::value).toArray(UUID[]::new))
        .execute();
  }

  /** A team's resource by token; another team's resource is simply absent. */
  public Optional<ResourceRecord> findForTeam(TeamId team, ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT "
                    + COLUMNS
                    + " FROM resources WHERE token = :token"
                    + " AND team_id = :team AND status NOT IN ('deleted','expired','failed')")
            .bind("token", token.value())
            .bind("team", team.value())
            .map(ResourceRepository::map)
            .findOne());
  }

  /** One page, newest first, continuing after {@code after} (created_at, id). */
  public List<ResourceRecord> pageForTeam(
      TeamId team, Optional<String> env, Optional<Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT "
                    + COLUMNS
                    + " FROM resources WHERE team_id = :team"
                    + " AND status NOT IN ('deleted','expired','failed')"
                    + " AND (CAST(:env AS text) IS NULL OR env = :env)"
                    + " AND (CAST(:after_at AS timestamptz) IS NULL"
                    + " OR (created_at, id) < (:after_at, :after_id))"
                    + " ORDER BY created_at DESC, id DESC LIMIT :limit")
            .bind("team", team.value())
            .bind("env", env.orElse(null))
            .bind("after_at", after.map(c -> Timestamp.from(c.at())).orElse(null))
            .bind("after_id", after.map(Keyset::id).orElse(null))
            .bind("limit", limit)
            .map(ResourceRepository::map)
            .list());
  }

  public long countForTeam(TeamId team, Optional<String> env) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT count(*) FROM resources WHERE team_id = :team"
                    + " AND status NOT IN ('deleted','expired','failed')"
                    + " AND (CAST(:env AS text) IS NULL OR env = :env)")
            .bind("team", team.value())
            .bind("env", env.orElse(null))
            .mapTo(Long.class)
            .one());
  }

  /**
   * A keyset position: the ordering instant and id of the last row of the previous page. Every
   * paged walk over resources uses it, whichever instant it orders by.
   */
  public record Keyset(Instant at, UUID id) {
    /** Before every row. */
    public static final Keyset START =
        new Keyset(Instant.parse("1970-01-01T00:00:00Z"), new UUID(0, 0));

    /**
     * Binds {@code :at} and {@code :id} for a page's {@code (created_at, id)} bound; both null
     * before the first page.
     */
    public static Query bindAfter(Query query, Optional<Keyset> after) {
      return query
          .bind("at", after.map(k -> Timestamp.from(k.at())).orElse(null))
          .bind("id", after.map(Keyset::id).orElse(null));
    }
  }

  /** A team's not-yet-ended resources called {@code name}, made at or after {@code since}. */
  public static List<ResourceToken> liveNamedSince(
      Handle h, TeamId team, String name, Instant since) {
    return h.createQuery(
            "SELECT token FROM resources WHERE team_id = :team AND name = :name"
                + " AND status NOT IN ('deleted', 'expired', 'failed') AND created_at >= :since"
                + " ORDER BY created_at")
        .bind("team", team.value())
        .bind("name", name)
        .bind("since", since)
        .map((rs, ctx) -> new ResourceToken(rs.getObject("token", UUID.class)))
        .list();
  }

  /** Inside the transaction that holds the row lock from {@link #lockLive}. */
  public void updateConnectionUrl(Handle h, ResourceId id, String encryptedUrl) {
    h.createUpdate("UPDATE resources SET connection_url = :url, updated_at = now() WHERE id = :id")
        .bind("url", encryptedUrl)
        .bind("id", id.value())
        .execute();
  }

  /**
   * Locks a live row for a change (credential rotation); empty when it is gone, being deleted or no
   * longer the team's. The caller acts on the infrastructure inside the same transaction, then
   * records the outcome ({@link #updateConnectionUrl}).
   */
  public Optional<ResourceRecord> lockLive(Handle h, TeamId team, ResourceToken token) {
    return lock(h, team, token, "'pending','active','paused','suspended'");
  }

  /** Locks a row its team may delete: a live one, or one whose delete has not finished. */
  public Optional<ResourceRecord> lockDeletable(Handle h, TeamId team, ResourceToken token) {
    return lock(h, team, token, "'pending','active','paused','suspended','deleting'");
  }

  /** Locks a row whose delete was recorded and whose drop has not finished. */
  public Optional<ResourceRecord> lockDeleting(Handle h, TeamId team, ResourceToken token) {
    return lock(h, team, token, "'deleting'");
  }

  private static Optional<ResourceRecord> lock(
      Handle h, TeamId team, ResourceToken token, String statuses) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery(
            "SELECT "
                + COLUMNS
                + " FROM resources WHERE token = :token AND team_id = :team"
                + " AND status IN ("
                + statuses
                + ") FOR UPDATE")
        .bind("token", token.value())
        .bind("team", team.value())
        .map(ResourceRepository::map)
        .findOne();
  }

  /**
   * Records a delete before its drop: never usable again (its URL is gone), and a crash before the
   * drop finishes leaves this row for the reconciler. A row already {@code deleting} stays so.
   */
  public void markDeleting(Handle h, ResourceId id) {
    h.createUpdate(
            "UPDATE resources SET status = 'deleting', connection_url = NULL, updated_at = now()"
                + " WHERE id = :id AND status IN ('pending','active','paused','suspended')")
        .bind("id", id.value())
        .execute();
  }

  /**
   * The resources of a team that still hold (or may hold) infrastructure: live, in flight or being
   * deleted; the oldest first.
   */
  public List<ResourceRecord> undeletedOfTeam(TeamId team, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT "
                    + COLUMNS
                    + " FROM resources WHERE team_id = :team"
                    + " AND status IN ('pending','active','paused','suspended','deleting')"
                    + " ORDER BY created_at, id LIMIT :limit")
            .bind("team", team.value())
            .bind("limit", limit)
            .map(ResourceRepository::map)
            .list());
  }

  /** Live resources whose team is a tombstone: made as the team was being deleted. */
  public List<ResourceRecord> undeletedOfTombstonedTeams(int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT r.* FROM resources r JOIN teams t ON t.id = r.team_id"
                    + " WHERE t.status = 'tombstoned'"
                    + " AND r.status IN ('pending','active','paused','suspended','deleting')"
                    + " ORDER BY r.created_at, r.id LIMIT :limit")
            .bind("limit", limit)
            .map(ResourceRepository::map)
            .list());
  }

  /** Those of {@code tokens} whose row belongs to a tombstoned team. */
  public Set<ResourceToken> tokensOfTombstonedTeams(Collection<ResourceToken> tokens) {
    if (tokens.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        jdbi.withHandle(h ->
            h.createQuery(
                    "SELECT r.token FROM resources r JOIN teams t ON t.id = r.team_id"
                        + " WHERE r.token = ANY(:tokens) AND t.status = 'tombstoned'")
                .bindArray("tokens", UUID.class, tokens.stream().map(ResourceToken::value).toList())
                .mapTo(UUID.class)
                .map(ResourceToken::new)
                .list()));
  }

  /** deleting → deleted, once the infrastructure is gone; false when another caller got there. */
  public boolean markDeleted(Handle h, ResourceId id) {
    return h.createUpdate(
                "UPDATE resources SET status = 'deleted', connection_url = NULL,"
                    + " updated_at = now() WHERE id = :id AND status = 'deleting'")
            .bind("id", id.value())
            .execute()
        == 1;
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
        Optional.ofNullable(rs.getString("provider_resource_id")).map(ProviderResourceId::parse),
        Optional.ofNullable(rs.getString("key_prefix")),
        Optional.ofNullable((Integer) rs.getObject("applied_conn_limit")),
        rs.getLong("storage_bytes"),
        rs.getBoolean("storage_exceeded"),
        Optional.ofNullable(rs.getTimestamp("expires_at")).map(Timestamp::toInstant),
        rs.getTimestamp("created_at").toInstant());
  }

  /**
   * A team's plan went up: every live, unexpired resource of the team takes the new tier and stops
   * expiring. In the caller's plan-change transaction.
   */
  public static int elevateTeamResources(Handle h, TeamId team, Tier tier) {
    return h.createUpdate(
            "UPDATE resources SET tier = :tier, expires_at = NULL, updated_at = now()"
                + " WHERE team_id = :team AND status IN ('active','paused')"
                + " AND (expires_at IS NULL OR expires_at > now())")
        .bind("tier", tier.wireName())
        .bind("team", team.value())
        .execute();
  }

  /**
   * A live resource of a team, its type and tier as stored: a newer api may have written a value
   * this build does not know, and the caller decides what to do with it.
   */
  public record LiveTeamResource(
      ResourceId id,
      ResourceToken token,
      String type,
      String tier,
      ProviderResourceId providerResourceId) {}

  /** The team's active, unexpired resources, in id order. */
  public List<LiveTeamResource> liveOfTeam(TeamId team, Instant now) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, token, resource_type, tier, provider_resource_id FROM resources"
                    + " WHERE team_id = :team AND status = 'active'"
                    + " AND (expires_at IS NULL OR expires_at > :now) ORDER BY id")
            .bind("team", team.value())
            .bind("now", Timestamp.from(now))
            .map((rs, ctx) ->
                new LiveTeamResource(
                    new ResourceId(rs.getObject("id", UUID.class)),
                    new ResourceToken(rs.getObject("token", UUID.class)),
                    rs.getString("resource_type"),
                    rs.getString("tier"),
                    storedId(rs)))
            .list());
  }

  /** A live Postgres resource whose recorded connection cap is not its tier's. */
  public record CapDrift(
      ResourceId id,
      ResourceToken token,
      ResourceType type,
      Optional<TeamId> team,
      Tier tier,
      ProviderResourceId providerResourceId,
      Optional<Integer> applied,
      int planLimit) {}

  /**
   * One keyset page of live resources of {@code type} whose {@code applied_conn_limit} differs from
   * the cap their tier's plan sets, ids after {@code after} in order. Tiers absent from {@code
   * capByTier} are not looked at.
   */
  public List<CapDrift> capDrift(
      ResourceType type, Map<Tier, Integer> capByTier, Instant now, UUID after, int limit) {
    // The plan table travels into SQL as two arrays: limits come only from plans.yaml.
    List<String> tiers = capByTier.keySet().stream().map(Tier::wireName).toList();
    List<Integer> caps = capByTier.keySet().stream().map(capByTier::get).toList();
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT r.id, r.token, r.team_id, r.tier, r.provider_resource_id,"
                    + " r.applied_conn_limit, p.conn_limit"
                    + " FROM resources r"
                    + " JOIN unnest(CAST(:tiers AS text[]), CAST(:limits AS integer[]))"
                    + " AS p(tier, conn_limit) ON p.tier = r.tier"
                    + " WHERE r.resource_type = :type AND r.status = 'active'"
                    + " AND (r.expires_at IS NULL OR r.expires_at > :now)"
                    + " AND r.applied_conn_limit IS DISTINCT FROM p.conn_limit"
                    + " AND r.id > :after ORDER BY r.id LIMIT :limit")
            .bindArray("tiers", String.class, tiers)
            .bindArray("limits", Integer.class, caps)
            .bind("type", type.wireName())
            .bind("now", Timestamp.from(now))
            .bind("after", after)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new CapDrift(
                    new ResourceId(rs.getObject("id", UUID.class)),
                    new ResourceToken(rs.getObject("token", UUID.class)),
                    type,
                    Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                    Tier.fromWire(rs.getString("tier")),
                    storedId(rs),
                    Optional.ofNullable((Integer) rs.getObject("applied_conn_limit")),
                    rs.getInt("conn_limit")))
            .list());
  }

  /**
   * Records the connection cap in force on an active resource; with {@code whileAt}, only while the
   * row is still at that tier. False when the row changed under the caller.
   */
  public boolean recordAppliedConnLimit(ResourceId id, int cap, Optional<Tier> whileAt) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE resources SET applied_conn_limit = :limit, updated_at = now()"
                    + " WHERE id = :id AND status = 'active'"
                    + (whileAt.isPresent() ? " AND tier = :tier" : ""))
            .bind("limit", cap)
            .bind("id", id.value())
            .bind("tier", whileAt.map(Tier::wireName).orElse(null))
            .execute())
        == 1;
  }

  /**
   * One keyset page of live resources past their {@code expires_at} at one of {@code tiers}: an
   * anonymous one only while no team holds it, a team's only while the team is active. What
   * qualified when read; each is decided again under its lock.
   */
  public List<Keyset> expiredAfter(Instant now, Set<Tier> tiers, Keyset after, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT r.id, r.expires_at FROM resources r LEFT JOIN teams t ON t.id = r.team_id"
                    + " WHERE r.status IN ('active','paused','suspended')"
                    + " AND r.expires_at < :now"
                    + " AND r.tier = ANY(:tiers)"
                    + " AND (r.tier <> 'anonymous' OR r.team_id IS NULL)"
                    + " AND (r.team_id IS NULL OR t.status = 'active')"
                    + " AND (r.expires_at, r.id) > (:after_expires, :after_id)"
                    + " ORDER BY r.expires_at, r.id LIMIT :limit")
            .bind("now", Timestamp.from(now))
            .bindArray("tiers", String.class, tiers.stream().map(Tier::wireName).toList())
            .bind("after_expires", Timestamp.from(after.at()))
            .bind("after_id", after.id())
            .bind("limit", limit)
            .map((rs, ctx) ->
                new Keyset(
                    rs.getTimestamp("expires_at").toInstant(), rs.getObject("id", UUID.class)))
            .list());
  }

  /**
   * A resource row locked for a decision about its lifetime, with its team's status. {@code type}
   * is empty when this build does not know the stored type.
   */
  public record LockedForExpiry(
      ResourceId id,
      ResourceToken token,
      Optional<TeamId> team,
      Tier tier,
      ResourceStatus status,
      Optional<Instant> expiresAt,
      ProviderResourceId providerResourceId,
      Optional<String> teamStatus,
      Optional<ResourceType> type) {}

  /** Locks the row ({@code FOR UPDATE}) in the caller's transaction; empty when it is gone. */
  public static Optional<LockedForExpiry> lockForExpiry(Handle h, ResourceId id) {
    return h.createQuery(
            "SELECT r.id, r.token, r.team_id, r.resource_type, r.tier, r.status, r.expires_at,"
                + " r.provider_resource_id, t.status AS team_status"
                + " FROM resources r LEFT JOIN teams t ON t.id = r.team_id"
                + " WHERE r.id = :id FOR UPDATE OF r")
        .bind("id", id.value())
        .map((rs, ctx) ->
            new LockedForExpiry(
                new ResourceId(rs.getObject("id", UUID.class)),
                new ResourceToken(rs.getObject("token", UUID.class)),
                Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                Tier.fromWire(rs.getString("tier")),
                ResourceStatus.fromWire(rs.getString("status")),
                Optional.ofNullable(rs.getTimestamp("expires_at")).map(Timestamp::toInstant),
                storedId(rs),
                Optional.ofNullable(rs.getString("team_status")),
                ResourceType.parse(rs.getString("resource_type"))))
        .findOne();
  }

  /**
   * Marks a live row expired and forgets its URL, in the caller's transaction (after the teardown).
   * Returns the rows touched: 1, or 0 when it was no longer live.
   */
  public static int markExpired(Handle h, ResourceId id) {
    return h.createUpdate(
            "UPDATE resources SET status = 'expired', connection_url = NULL,"
                + " updated_at = now() WHERE id = :id"
                + " AND status IN ('active','paused','suspended')")
        .bind("id", id.value())
        .execute();
  }

  /** One keyset page of rows still {@code pending} that were created before {@code cutoff}. */
  public List<Keyset> pendingCreatedBefore(Instant cutoff, Keyset after, int limit) {
    return keysetPage("pending", "created_at", cutoff, after, limit);
  }

  /** One keyset page of rows still {@code deleting} whose last change is before {@code cutoff}. */
  public List<Keyset> deletingSince(Instant cutoff, Keyset after, int limit) {
    return keysetPage("deleting", "updated_at", cutoff, after, limit);
  }

  // status and column are constants of this class, never input.
  private List<Keyset> keysetPage(
      String status, String column, Instant cutoff, Keyset after, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, "
                    + column
                    + " AS at FROM resources WHERE status = :status AND "
                    + column
                    + " < :cutoff AND ("
                    + column
                    + ", id) > (:after_at, :after_id) ORDER BY "
                    + column
                    + ", id LIMIT :limit")
            .bind("status", status)
            .bind("cutoff", Timestamp.from(cutoff))
            .bind("after_at", Timestamp.from(after.at()))
            .bind("after_id", after.id())
            .bind("limit", limit)
            .map((rs, ctx) ->
                new Keyset(rs.getTimestamp("at").toInstant(), rs.getObject("id", UUID.class)))
            .list());
  }

  /** A row locked to settle a provision or delete that did not finish. */
  public record LockedForReconcile(
      ResourceId id,
      ResourceToken token,
      Optional<TeamId> team,
      Optional<ResourceType> type,
      Optional<ProviderResourceId> providerResourceId,
      ResourceStatus status,
      Instant createdAt,
      boolean hasUrl) {}

  /** Locks the row ({@code FOR UPDATE}) in the caller's transaction; empty when it is gone. */
  public static Optional<LockedForReconcile> lockForReconcile(Handle h, ResourceId id) {
    return h.createQuery(
            "SELECT id, token, team_id, resource_type, status, created_at,"
                + " connection_url IS NOT NULL AS has_url, provider_resource_id"
                + " FROM resources WHERE id = :id FOR UPDATE")
        .bind("id", id.value())
        .map((rs, ctx) ->
            new LockedForReconcile(
                new ResourceId(rs.getObject("id", UUID.class)),
                new ResourceToken(rs.getObject("token", UUID.class)),
                Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                ResourceType.parse(rs.getString("resource_type")),
                Optional.ofNullable(rs.getString("provider_resource_id"))
                    .map(ProviderResourceId::parse),
                ResourceStatus.fromWire(rs.getString("status")),
                rs.getTimestamp("created_at").toInstant(),
                rs.getBoolean("has_url")))
        .findOne();
  }

  /**
   * Moves a row from one status to another in the caller's transaction; a terminal status drops the
   * URL (nothing it names exists any more). Returns the rows touched: 1, or 0 when the row was not
   * in {@code from}.
   */
  public static int transition(Handle h, ResourceId id, ResourceStatus from, ResourceStatus to) {
    String clearUrl = to.isTerminal() ? ", connection_url = NULL" : "";
    return h.createUpdate(
            "UPDATE resources SET status = :to"
                + clearUrl
                + ", updated_at = now() WHERE id = :id AND status = :from")
        .bind("to", to.wireName())
        .bind("from", from.wireName())
        .bind("id", id.value())
        .execute();
  }

  /** A live resource with what the limits pass last recorded about it. */
  public record LiveForLimits(
      ResourceId id,
      ResourceToken token,
      Optional<TeamId> team,
      Tier tier,
      ProviderResourceId providerResourceId,
      boolean storageExceeded) {}

  /** One keyset page, in id order after {@code after}, of the live resources of a type. */
  public List<LiveForLimits> liveOfType(ResourceType type, UUID after, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, token, team_id, tier, provider_resource_id, storage_exceeded"
                    + " FROM resources WHERE resource_type = :type"
                    + " AND status IN ('active','paused','suspended') AND id > :after"
                    + " ORDER BY id LIMIT :limit")
            .bind("type", type.wireName())
            .bind("after", after)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new LiveForLimits(
                    new ResourceId(rs.getObject("id", UUID.class)),
                    new ResourceToken(rs.getObject("token", UUID.class)),
                    Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                    Tier.fromWire(rs.getString("tier")),
                    storedId(rs),
                    rs.getBoolean("storage_exceeded")))
            .list());
  }

  /** What one limits pass found: the bytes measured (none when not measured) and the verdict. */
  public record Measurement(ResourceId id, Optional<Long> bytes, boolean blocked) {}

  /**
   * Records a page of measurements in one statement. A resource not measured keeps its last figure
   * and the time it was taken.
   */
  public void recordMeasurements(List<Measurement> measured, Instant now) {
    if (measured.isEmpty()) {
      return;
    }
    jdbi.useHandle(h -> {
      var batch =
          h.prepareBatch(
              "UPDATE resources SET storage_bytes = COALESCE(CAST(:bytes AS bigint),"
                  + " storage_bytes), storage_exceeded = :blocked, storage_measured_at = CASE"
                  + " WHEN CAST(:bytes AS bigint) IS NULL THEN storage_measured_at ELSE :now END"
                  + " WHERE id = :id");
      for (Measurement m : measured) {
        batch
            .bind("id", m.id().value())
            .bind("bytes", m.bytes().orElse(null))
            .bind("blocked", m.blocked())
            .bind("now", Timestamp.from(now))
            .add();
      }
      batch.execute();
    });
  }

  /** What a resource row says about who owns a piece of infrastructure. */
  public record Ownership(ResourceStatus status, Optional<ProviderResourceId> providerResourceId) {}

  /** The rows for these tokens; a token with no row at all is absent from the map. */
  public Map<ResourceToken, Ownership> ownershipOf(Collection<ResourceToken> tokens) {
    Map<ResourceToken, Ownership> owners = new HashMap<>();
    jdbi.useHandle(h ->
        h.createQuery(
                "SELECT token, status, provider_resource_id FROM resources"
                    + " WHERE token = ANY(:tokens)")
            .bindArray("tokens", UUID.class, tokens.stream().map(ResourceToken::value).toList())
            .map((rs, ctx) ->
                Map.entry(
                    new ResourceToken(rs.getObject("token", UUID.class)),
                    new Ownership(
                        ResourceStatus.fromWire(rs.getString("status")),
                        Optional.ofNullable(rs.getString("provider_resource_id"))
                            .map(ProviderResourceId::parse))))
            .forEach(e -> owners.put(e.getKey(), e.getValue())));
    return owners;
  }

  /** The status of each of these tokens' rows; a token with no row at all is absent. */
  public Map<ResourceToken, ResourceStatus> statusesOf(Collection<ResourceToken> tokens) {
    if (tokens.isEmpty()) {
      return new HashMap<>();
    }
    return jdbi.withHandle(h -> statuses(h, tokens, ""));
  }

  /**
   * Reads the status of each of these tokens' rows {@code FOR SHARE}, then runs {@code whileLocked}
   * on them in the same transaction, so a destructive caller decides and acts while the rows it
   * decided on cannot change: a transaction that has changed one but not yet committed is waited
   * for (at most {@code lockTimeout}, then this throws) and its change seen; one that would change
   * it later waits until {@code whileLocked} has returned. A token with no row is absent, and no
   * row lock can hold back the insert of a new one: tokens are random and unique and a row is
   * committed before its infrastructure is made, so infrastructure older than a caller's grace
   * never awaits its first row.
   *
   * <p>The transaction is on a handle of its own, not the thread's: what {@code whileLocked} writes
   * through this {@link Jdbi} (the chokepoint's audit rows) commits on its own connection, whatever
   * becomes of this transaction, instead of joining it.
   */
  public <T> T withStatusesLocked(
      Collection<ResourceToken> tokens,
      Duration lockTimeout,
      Function<Map<ResourceToken, ResourceStatus>, T> whileLocked) {
    try (Handle own = jdbi.open()) {
      return own.inTransaction(h -> {
        LockTimeouts.setLocal(h, lockTimeout);
        return whileLocked.apply(statuses(h, tokens, " FOR SHARE"));
      });
    }
  }

  private static Map<ResourceToken, ResourceStatus> statuses(
      Handle h, Collection<ResourceToken> tokens, String lock) {
    Map<ResourceToken, ResourceStatus> statuses = new HashMap<>();
    h.createQuery("SELECT token, status FROM resources WHERE token = ANY(:tokens)" + lock)
        .bindArray(
            "tokens", UUID.class, tokens.stream().map(ResourceToken::value).distinct().toList())
        .map((rs, ctx) ->
            Map.entry(
                new ResourceToken(rs.getObject("token", UUID.class)),
                ResourceStatus.fromWire(rs.getString("status"))))
        .forEach(e -> statuses.put(e.getKey(), e.getValue()));
    return statuses;
  }

  /**
   * For each of these tokens, the type of its latest {@code deleted} or {@code expired} row (by
   * when it last changed): what the infrastructure still carrying that token was. A token with no
   * such row, or whose type this build does not know, is absent. ({@code token} is unique today, so
   * "latest" is its one row; the order keeps the answer right should a token ever have more.)
   */
  public Map<ResourceToken, ResourceType> latestEndedTypesOf(Collection<ResourceToken> tokens) {
    Map<ResourceToken, ResourceType> types = new HashMap<>();
    if (tokens.isEmpty()) {
      return types;
    }
    jdbi.useHandle(h ->
        h.createQuery(
                "SELECT DISTINCT ON (token) token, resource_type FROM resources"
                    + " WHERE token = ANY(:tokens) AND status IN ('deleted','expired')"
                    + " ORDER BY token, updated_at DESC, created_at DESC, id DESC")
            .bindArray(
                "tokens", UUID.class, tokens.stream().map(ResourceToken::value).distinct().toList())
            .map((rs, ctx) -> {
              ResourceToken token = new ResourceToken(rs.getObject("token", UUID.class));
              return ResourceType.parse(rs.getString("resource_type"))
                  .map(t -> Map.entry(token, t));
            })
            .forEach(e -> e.ifPresent(entry -> types.put(entry.getKey(), entry.getValue()))));
    return types;
  }

  /**
   * Those of {@code tokens} a row's provider_resource_id names ({@code ...;pooltok:<token>}): pool
   * items claimed by a resource, whose infrastructure carries the pool token, in any status.
   */
  public Set<PoolToken> poolTokensNamed(Collection<PoolToken> tokens) {
    if (tokens.isEmpty()) {
      return Set.of();
    }
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT substring(provider_resource_id from 'pooltok:(pool-[A-Za-z0-9-]+)') AS t"
                    + " FROM resources WHERE substring(provider_resource_id from"
                    + " 'pooltok:(pool-[A-Za-z0-9-]+)') = ANY(:tokens)")
            .bindArray(
                "tokens", String.class, tokens.stream().map(PoolToken::value).distinct().toList())
            .mapTo(String.class)
            .map(PoolToken::new)
            .set());
  }

  /** How many rows are in any of {@code statuses}. */
  public long countInStatuses(Set<ResourceStatus> statuses) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT count(*) FROM resources WHERE status = ANY(:statuses)")
            .bindArray(
                "statuses",
                String.class,
                statuses.stream().map(ResourceStatus::wireName).sorted().toList())
            .mapTo(Long.class)
            .one());
  }

  /** A row that names no place yet (a pending row) reads as {@link ProviderResourceId#NONE}. */
  private static ProviderResourceId storedId(ResultSet rs) throws SQLException {
    String stored = rs.getString("provider_resource_id");
    return stored == null ? ProviderResourceId.NONE : ProviderResourceId.parse(stored);
  }
}
