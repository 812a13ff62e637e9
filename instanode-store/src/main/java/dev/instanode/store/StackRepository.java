package dev.instanode.store;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackId;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.EnvMerge;
import dev.instanode.core.stack.StackStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Every statement on {@code stacks} and {@code stack_services}. */
public final class StackRepository {
  /** How long a user-facing stack transaction waits for a row lock before answering busy. */
  public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(3);

  private static final String COLUMNS =
      "id, slug, namespace, team_id, name, env, status, tier, expires_at, created_at, updated_at";

  /** Below every id gen_random_uuid makes: the keyset start. */
  private static final UUID KEYSET_START = new UUID(0, 0);

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private final Jdbi jdbi;

  public StackRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A stack to record, with its services; values of {@code env} maps are sealed here. */
  public record NewStack(
      StackSlug slug,
      Optional<TeamId> team,
      Optional<String> fingerprint,
      String name,
      String env,
      Tier tier,
      Optional<Instant> expiresAt,
      List<NewService> services) {}

  public record NewService(
      String name, String image, int port, boolean expose, Map<String, String> env) {}

  /** Records the stack and its services in the caller's transaction, status {@code deploying}. */
  public static StackRecord insert(Handle h, NewStack stack, AesGcm aes) {
    UUID id =
        h.createQuery(
                "INSERT INTO stacks (slug, namespace, team_id, fingerprint, name, env, tier,"
                    + " expires_at) VALUES (:slug, :namespace, :team, :fingerprint, :name, :env,"
                    + " :tier, :expires) RETURNING id")
            .bind("slug", stack.slug().value())
            .bind("namespace", NamespaceName.forStack(stack.slug()).value())
            .bind("team", stack.team().map(TeamId::value).orElse(null))
            .bind("fingerprint", stack.fingerprint().orElse(null))
            .bind("name", stack.name())
            .bind("env", stack.env())
            .bind("tier", stack.tier().wireName())
            .bind("expires", stack.expiresAt().map(Timestamp::from).orElse(null))
            .mapTo(UUID.class)
            .one();
    for (NewService s : stack.services()) {
      h.createUpdate(
              "INSERT INTO stack_services (stack_id, name, image, port, expose, env)"
                  + " VALUES (:stack, :name, :image, :port, :expose, CAST(:env AS jsonb))")
          .bind("stack", id)
          .bind("name", s.name())
          .bind("image", s.image())
          .bind("port", s.port())
          .bind("expose", s.expose())
          .bind("env", JSON.writeValueAsString(seal(s.env(), aes)))
          .execute();
    }
    return find(h, new StackId(id)).orElseThrow();
  }

  public Optional<StackRecord> findBySlug(StackSlug slug) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT id FROM stacks WHERE slug = :slug")
            .bind("slug", slug.value())
            .mapTo(UUID.class)
            .findOne()
            .flatMap(id -> find(h, new StackId(id))));
  }

  private static Optional<StackRecord> find(Handle h, StackId id) {
    List<StackRecord.Service> services =
        h.createQuery(
                "SELECT name, image, port, expose, status, reason FROM stack_services"
                    + " WHERE stack_id = :id ORDER BY name")
            .bind("id", id.value())
            .map((rs, ctx) -> service(rs))
            .list();
    return h.createQuery("SELECT " + COLUMNS + " FROM stacks WHERE id = :id")
        .bind("id", id.value())
        .map((rs, ctx) -> record(rs, services))
        .findOne();
  }

  private static StackRecord record(ResultSet rs, List<StackRecord.Service> services)
      throws SQLException {
    Timestamp expires = rs.getTimestamp("expires_at");
    return new StackRecord(
        new StackId(rs.getObject("id", UUID.class)),
        new StackSlug(rs.getString("slug")),
        new NamespaceName(rs.getString("namespace")),
        Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
        rs.getString("name"),
        rs.getString("env"),
        StackStatus.parse(rs.getString("status")).orElseThrow(),
        Tier.fromWire(rs.getString("tier")),
        Optional.ofNullable(expires).map(Timestamp::toInstant),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant(),
        services);
  }

  /**
   * Stacks on a tier in {@code expiring} whose {@code expires_at} is before {@code now} and that
   * are not already being deleted, in id order after {@code after}, at most {@code limit}:
   * anonymous ones, and those claimed into a free team, which keep their expiry as claimed
   * resources do. A paid tier's stack never expires, whatever its row says.
   */
  public List<StackRecord> expired(
      Instant now, Set<Tier> expiring, Optional<StackId> after, int limit) {
    return page(
        "expires_at < :now AND status <> 'deleting' AND tier = ANY(:tiers)",
        q -> q.bind("now", Timestamp.from(now)).bindArray("tiers", String.class, wire(expiring)),
        after,
        limit);
  }

  private static List<String> wire(Set<Tier> tiers) {
    return tiers.stream().map(Tier::wireName).sorted().toList();
  }

  /** Stacks in any of {@code statuses}, in id order after {@code after}, at most {@code limit}. */
  public List<StackRecord> inStatuses(
      Set<StackStatus> statuses, Optional<StackId> after, int limit) {
    List<String> wire = statuses.stream().map(StackStatus::wireName).sorted().toList();
    return page(
        "status = ANY(:statuses)", q -> q.bindArray("statuses", String.class, wire), after, limit);
  }

  private List<StackRecord> page(
      String where, Consumer<Query> bind, Optional<StackId> after, int limit) {
    return jdbi.withHandle(h -> {
      Query query =
          h.createQuery(
              "SELECT "
                  + COLUMNS
                  + " FROM stacks WHERE "
                  + where
                  + " AND id > :after ORDER BY id LIMIT :limit");
      bind.accept(query);
      List<StackRecord> rows =
          query
              .bind("after", after.map(StackId::value).orElse(KEYSET_START))
              .bind("limit", limit)
              .map((rs, ctx) -> record(rs, List.of()))
              .list();
      if (rows.isEmpty()) {
        return rows;
      }
      Map<UUID, List<StackRecord.Service>> services = new HashMap<>();
      h.createQuery(
              "SELECT stack_id, name, image, port, expose, status, reason FROM stack_services"
                  + " WHERE stack_id = ANY(:ids) ORDER BY stack_id, name")
          .bindArray("ids", UUID.class, rows.stream().map(r -> r.id().value()).toList())
          .map((rs, ctx) -> Map.entry(rs.getObject("stack_id", UUID.class), service(rs)))
          .forEach(
              e -> services.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
      return rows.stream()
          .map(r ->
              new StackRecord(
                  r.id(),
                  r.slug(),
                  r.namespace(),
                  r.team(),
                  r.name(),
                  r.env(),
                  r.status(),
                  r.tier(),
                  r.expiresAt(),
                  r.createdAt(),
                  r.updatedAt(),
                  services.getOrDefault(r.id().value(), List.of())))
          .toList();
    });
  }

  private static StackRecord.Service service(ResultSet rs) throws SQLException {
    return new StackRecord.Service(
        rs.getString("name"),
        rs.getString("image"),
        rs.getInt("port"),
        rs.getBoolean("expose"),
        rs.getString("status"),
        Optional.ofNullable(rs.getString("reason")));
  }

  /**
   * Those of {@code namespaces} that a {@code stacks} row names, whatever its status, unless the
   * row's team is a tombstone: the orphan sweep's live set. Matched on {@code stacks.namespace},
   * which is the slug's namespace, never on the id (seed 000's sweep compared namespaces with ids
   * and reaped every live stack).
   */
  public Set<NamespaceName> namespacesWithRows(Collection<NamespaceName> namespaces) {
    return namespaces(
        namespaces,
        "SELECT s.namespace FROM stacks s LEFT JOIN teams t ON t.id = s.team_id"
            + " WHERE s.namespace = ANY(:namespaces) AND t.status IS DISTINCT FROM 'tombstoned'");
  }

  /** Those of {@code namespaces} whose row belongs to a tombstoned team. */
  public Set<NamespaceName> namespacesOfTombstonedTeams(Collection<NamespaceName> namespaces) {
    return namespaces(
        namespaces,
        "SELECT s.namespace FROM stacks s JOIN teams t ON t.id = s.team_id"
            + " WHERE s.namespace = ANY(:namespaces) AND t.status = 'tombstoned'");
  }

  private Set<NamespaceName> namespaces(Collection<NamespaceName> namespaces, String sql) {
    if (namespaces.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        jdbi.withHandle(h ->
            h.createQuery(sql)
                .bindArray(
                    "namespaces",
                    String.class,
                    namespaces.stream().map(NamespaceName::value).distinct().toList())
                .mapTo(String.class)
                .map(NamespaceName::new)
                .list()));
  }

  /** How many stacks rows there are, in any status. */
  public long count() {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT count(*) FROM stacks").mapTo(Long.class).one());
  }

  /** How many stacks there are in each status; every status is present, 0 when none. */
  public Map<StackStatus, Long> countByStatus() {
    Map<StackStatus, Long> counts = new EnumMap<>(StackStatus.class);
    for (StackStatus s : StackStatus.values()) {
      counts.put(s, 0L);
    }
    jdbi.useHandle(h ->
        h.createQuery("SELECT status, count(*) AS n FROM stacks GROUP BY status")
            .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getLong("n")))
            .forEach(
                e -> StackStatus.parse(e.getKey()).ifPresent(s -> counts.put(s, e.getValue()))));
    return Collections.unmodifiableMap(counts);
  }

  /** What a PATCH of a stack's env came to. */
  public sealed interface EnvOutcome {
    record Merged(StackId id, Optional<TeamId> team, EnvMerge.Result result)
        implements EnvOutcome {}

    record NotFound() implements EnvOutcome {}

    /** The stack is being torn down: nothing was written. */
    record Deleting() implements EnvOutcome {}

    /** The merged env would be over {@link EnvMerge#MAX_BYTES}: nothing was written. */
    record TooLarge() implements EnvOutcome {}
  }

  /**
   * Seed 003, in one transaction: bound the lock wait, lock the row, refuse a deleting stack under
   * that lock (never from a read before it), merge, refuse an env over 64 KiB, write. A lock that
   * is not granted in time throws; {@link LockTimeouts#isTimeout} tells it from other failures.
   *
   * @param team only this team's stack, or only an anonymous one when empty
   */
  public EnvOutcome mergeEnv(
      StackSlug slug, Optional<TeamId> team, Map<String, String> patch, AesGcm aes) {
    return jdbi.inTransaction(h -> {
      Optional<Locked> row = lockOwned(h, slug, team);
      if (row.isEmpty()) {
        return new EnvOutcome.NotFound();
      }
      if (row.get().status() == StackStatus.DELETING) {
        return new EnvOutcome.Deleting();
      }
      Map<String, String> current = open(JSON.readValue(row.get().env(), STRING_MAP), aes);
      Optional<EnvMerge.Result> merged = EnvMerge.apply(current, patch);
      if (merged.isEmpty()) {
        return new EnvOutcome.TooLarge();
      }
      h.createUpdate(
              "UPDATE stacks SET env_vars = CAST(:env AS jsonb), updated_at = now() WHERE id = :id")
          .bind("env", JSON.writeValueAsString(seal(merged.get().env(), aes)))
          .bind("id", row.get().id().value())
          .execute();
      return new EnvOutcome.Merged(row.get().id(), row.get().team(), merged.get());
    });
  }

  private record Locked(StackId id, Optional<TeamId> team, StackStatus status, String env) {}

  /**
   * The row of {@code slug}, locked for the caller's transaction after waiting at most {@link
   * #LOCK_TIMEOUT}; empty when there is none or it is not {@code team}'s (an anonymous one when
   * empty).
   */
  private static Optional<Locked> lockOwned(Handle h, StackSlug slug, Optional<TeamId> team) {
    LockTimeouts.setLocal(h, LOCK_TIMEOUT);
    return h.createQuery(
            "SELECT id, team_id, status, env_vars::text AS env FROM stacks"
                + " WHERE slug = :slug FOR UPDATE")
        .bind("slug", slug.value())
        .map((rs, ctx) ->
            new Locked(
                new StackId(rs.getObject("id", UUID.class)),
                Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                StackStatus.parse(rs.getString("status")).orElseThrow(),
                rs.getString("env")))
        .findOne()
        .filter(row -> row.team().equals(team));
  }

  /** The stack's persisted env, opened. */
  public Map<String, String> env(StackId id, AesGcm aes) {
    return jdbi.withHandle(h ->
        open(
            JSON.readValue(
                h.createQuery("SELECT env_vars::text FROM stacks WHERE id = :id")
                    .bind("id", id.value())
                    .mapTo(String.class)
                    .one(),
                STRING_MAP),
            aes));
  }

  /** Each service's own env (its manifest env and what its needs inject), opened. */
  public Map<String, Map<String, String>> serviceEnvs(StackId id, AesGcm aes) {
    Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    jdbi.useHandle(h ->
        h.createQuery(
                "SELECT name, env::text AS env FROM stack_services WHERE stack_id = :id ORDER BY name")
            .bind("id", id.value())
            .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("env")))
            .forEach(
                e -> envs.put(e.getKey(), open(JSON.readValue(e.getValue(), STRING_MAP), aes))));
    return envs;
  }

  /**
   * Under the row lock: sets {@code deleting} (teardown comes next, bookkeeping after it). Empty
   * when there is no such stack for {@code team}; a stack already deleting is returned as it is.
   */
  public Optional<StackRecord> markDeleting(StackSlug slug, Optional<TeamId> team) {
    return jdbi.inTransaction(h -> {
      Optional<Locked> row = lockOwned(h, slug, team);
      if (row.isEmpty()) {
        return Optional.empty();
      }
      h.createUpdate("UPDATE stacks SET status = 'deleting', updated_at = now() WHERE id = :id")
          .bind("id", row.get().id().value())
          .execute();
      return find(h, row.get().id());
    });
  }

  /**
   * Under the row lock, re-deciding there (never from an earlier read): sets {@code deleting} only
   * when the stack is still on a tier that expires, expired at {@code now} and not already
   * deleting. Empty when it is not (upgraded meanwhile, already being deleted, or gone).
   */
  public Optional<StackRecord> markExpiredDeleting(StackId id, Instant now, Set<Tier> expiring) {
    return jdbi.inTransaction(h -> {
      LockTimeouts.setLocal(h, LOCK_TIMEOUT);
      boolean expired =
          h.createQuery(
                  "SELECT coalesce(expires_at < :now AND status <> 'deleting' AND tier ="
                      + " ANY(:tiers), false) FROM stacks WHERE id = :id FOR UPDATE")
              .bind("now", Timestamp.from(now))
              .bindArray("tiers", String.class, wire(expiring))
              .bind("id", id.value())
              .mapTo(Boolean.class)
              .findOne()
              .orElse(false);
      if (!expired) {
        return Optional.empty();
      }
      h.createUpdate("UPDATE stacks SET status = 'deleting', updated_at = now() WHERE id = :id")
          .bind("id", id.value())
          .execute();
      return find(h, id);
    });
  }

  /** One service's status as last observed on the cluster. */
  public record ObservedService(String name, String status, Optional<String> reason) {}

  /**
   * Records what the cluster showed, unless the row is being deleted meanwhile (the teardown owns
   * it then). False when nothing was written. {@code updated_at} moves only when the status
   * changes, so it keeps saying since when a stack has been in its status.
   */
  public boolean recordLiveStatus(StackId id, StackStatus status, List<ObservedService> services) {
    return jdbi.inTransaction(h -> {
      int updated =
          h.createUpdate(
                  "UPDATE stacks SET status = :status,"
                      + " updated_at = CASE WHEN status = :status THEN updated_at ELSE now() END"
                      + " WHERE id = :id AND status <> 'deleting'")
              .bind("status", status.wireName())
              .bind("id", id.value())
              .execute();
      if (updated == 0) {
        return false;
      }
      for (ObservedService s : services) {
        h.createUpdate(
                "UPDATE stack_services SET status = :status, reason = :reason"
                    + " WHERE stack_id = :id AND name = :name")
            .bind("status", s.status())
            .bind("reason", s.reason().orElse(null))
            .bind("id", id.value())
            .bind("name", s.name())
            .execute();
      }
      return true;
    });
  }

  /**
   * Marks a stack {@code failed} with {@code services}' reasons, only while it is still {@code
   * deploying} and has been since before {@code deployingSinceBefore}: a redeploy or any status
   * change in between moves {@code updated_at} and nothing is written. False when nothing was.
   */
  public boolean failStillDeploying(
      StackId id, Instant deployingSinceBefore, List<ObservedService> services) {
    return jdbi.inTransaction(h -> {
      int updated =
          h.createUpdate(
                  "UPDATE stacks SET status = 'failed', updated_at = now() WHERE id = :id"
                      + " AND status = 'deploying' AND updated_at < :before")
              .bind("id", id.value())
              .bind("before", Timestamp.from(deployingSinceBefore))
              .execute();
      if (updated == 0) {
        return false;
      }
      for (ObservedService s : services) {
        h.createUpdate(
                "UPDATE stack_services SET status = :status, reason = :reason"
                    + " WHERE stack_id = :id AND name = :name")
            .bind("status", s.status())
            .bind("reason", s.reason().orElse(null))
            .bind("id", id.value())
            .bind("name", s.name())
            .execute();
      }
      return true;
    });
  }

  /**
   * Forgets a stack whose namespace is gone. Only a {@code deleting} row is deleted. When its team
   * is being deleted, the namespace is counted on the team row ({@code
   * deletion_namespaces_deleted}) in the same transaction: whichever job removes the row (the
   * team's deletion, or {@code stack_reconciler} finishing an interrupted one) counts it, once, and
   * a crash cannot separate the removal from the count.
   */
  public boolean deleteTornDown(StackId id) {
    return jdbi.inTransaction(h -> {
      List<Optional<UUID>> gone =
          h.createQuery(
                  "DELETE FROM stacks WHERE id = :id AND status = 'deleting' RETURNING team_id")
              .bind("id", id.value())
              .map((rs, ctx) -> Optional.ofNullable(rs.getObject("team_id", UUID.class)))
              .list();
      if (gone.isEmpty()) {
        return false;
      }
      gone.getFirst()
          .map(TeamId::new)
          .ifPresent(team -> IdentityRepository.countDeletedNamespace(h, team));
      return true;
    });
  }

  /**
   * The team's stacks that count against its plan's {@code deployments_apps}: every one not being
   * deleted. The caller holds the team's row lock, so two creations cannot both see room for one.
   */
  public static int countCounted(Handle h, TeamId team) {
    return h.createQuery(
            "SELECT count(*) FROM stacks WHERE team_id = :team AND status <> 'deleting'")
        .bind("team", team.value())
        .mapTo(Integer.class)
        .one();
  }

  /** One page of the team's stacks, newest first, after {@code after} (created_at, id). */
  public List<StackRecord> pageForTeam(
      TeamId team, Optional<ResourceRepository.Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        h
            .createQuery(
                "SELECT id FROM stacks WHERE team_id = :team"
                    + " AND (CAST(:after_at AS timestamptz) IS NULL"
                    + " OR (created_at, id) < (:after_at, :after_id))"
                    + " ORDER BY created_at DESC, id DESC LIMIT :limit")
            .bind("team", team.value())
            .bind("after_at", after.map(c -> Timestamp.from(c.at())).orElse(null))
            .bind("after_id", after.map(ResourceRepository.Keyset::id).orElse(null))
            .bind("limit", limit)
            .mapTo(UUID.class)
            .list()
            .stream()
            .map(id -> find(h, new StackId(id)).orElseThrow())
            .toList());
  }

  /** Those of {@code slugs} that are anonymous, unexpired and not being deleted. */
  public List<StackSlug> liveAnonymous(Collection<StackSlug> slugs) {
    if (slugs.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT slug FROM stacks WHERE slug = ANY(:slugs) AND team_id IS NULL"
                    + " AND status <> 'deleting' AND (expires_at IS NULL OR expires_at > now())"
                    + " ORDER BY created_at")
            .bindArray("slugs", String.class, slugs.stream().map(StackSlug::value).toList())
            .mapTo(String.class)
            .map(StackSlug::new)
            .list());
  }

  /**
   * A claim: the anonymous, unexpired stacks among {@code slugs} become the team's, at its tier.
   * They keep their expiry, as claimed resources do: a free team runs no stack of its own, so a
   * claim must not become a way around that; an upgrade clears it. Returns how many moved.
   */
  public static int moveToTeam(Handle h, List<StackSlug> slugs, TeamId team, Tier tier) {
    if (slugs.isEmpty()) {
      return 0;
    }
    return h.createUpdate(
            "UPDATE stacks SET team_id = :team, tier = :tier, fingerprint = NULL,"
                + " updated_at = now() WHERE slug = ANY(:slugs) AND team_id IS NULL AND"
                + " status <> 'deleting' AND (expires_at IS NULL OR expires_at > now())")
        .bind("team", team.value())
        .bind("tier", tier.wireName())
        .bindArray("slugs", String.class, slugs.stream().map(StackSlug::value).toList())
        .execute();
  }

  /** An upgrade: the team's stacks take the new tier and stop expiring; the deleting are left. */
  public static List<StackSlug> elevateTeamStacks(Handle h, TeamId team, Tier tier) {
    return h.createQuery(
            "UPDATE stacks SET tier = :tier, expires_at = NULL, updated_at = now()"
                + " WHERE team_id = :team AND status <> 'deleting' RETURNING slug")
        .bind("team", team.value())
        .bind("tier", tier.wireName())
        .mapTo(String.class)
        .map(StackSlug::new)
        .list();
  }

  /** What asking to redeploy a stack came to. */
  public sealed interface RedeployOutcome {
    /** Now {@code deploying}, with its services; apply it. */
    record Ready(StackRecord stack) implements RedeployOutcome {}

    record NotFound() implements RedeployOutcome {}

    /** Being torn down: nothing was changed. */
    record Deleting() implements RedeployOutcome {}
  }

  /**
   * Under the row lock (waiting at most {@link #LOCK_TIMEOUT}): a stack being deleted is refused,
   * any other becomes {@code deploying} again, its services' last observations cleared.
   *
   * @param team only this team's stack, or only an anonymous one when empty
   */
  public RedeployOutcome markRedeploying(StackSlug slug, Optional<TeamId> team) {
    return jdbi.inTransaction(h -> {
      Optional<Locked> row = lockOwned(h, slug, team);
      if (row.isEmpty()) {
        return new RedeployOutcome.NotFound();
      }
      if (row.get().status() == StackStatus.DELETING) {
        return new RedeployOutcome.Deleting();
      }
      UUID id = row.get().id().value();
      h.createUpdate("UPDATE stacks SET status = 'deploying', updated_at = now() WHERE id = :id")
          .bind("id", id)
          .execute();
      h.createUpdate(
              "UPDATE stack_services SET status = 'deploying', reason = NULL WHERE stack_id = :id")
          .bind("id", id)
          .execute();
      return new RedeployOutcome.Ready(find(h, row.get().id()).orElseThrow());
    });
  }

  private static Map<String, String> seal(Map<String, String> env, AesGcm aes) {
    Map<String, String> sealed = new LinkedHashMap<>();
    env.forEach((k, v) -> sealed.put(k, aes.encrypt(v)));
    return sealed;
  }

  private static Map<String, String> open(Map<String, String> sealed, AesGcm aes) {
    Map<String, String> env = new LinkedHashMap<>();
    sealed.forEach((k, v) -> env.put(k, aes.decrypt(v)));
    return env;
  }
}
