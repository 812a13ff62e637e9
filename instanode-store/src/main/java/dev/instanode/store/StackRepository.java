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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Every statement on {@code stacks} and {@code stack_services}. */
public final class StackRepository {
  /** How long a user-facing stack transaction waits for a row lock before answering busy. */
  public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(3);

  private static final String COLUMNS =
      "id, slug, namespace, team_id, name, env, status, tier, expires_at, created_at";
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
            .map((rs, ctx) ->
                new StackRecord.Service(
                    rs.getString("name"),
                    rs.getString("image"),
                    rs.getInt("port"),
                    rs.getBoolean("expose"),
                    rs.getString("status"),
                    Optional.ofNullable(rs.getString("reason"))))
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
        services);
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
      LockTimeouts.setLocal(h, LOCK_TIMEOUT);
      Optional<Locked> row =
          h.createQuery(
                  "SELECT id, team_id, status, env_vars::text AS env FROM stacks"
                      + " WHERE slug = :slug FOR UPDATE")
              .bind("slug", slug.value())
              .map((rs, ctx) ->
                  new Locked(
                      new StackId(rs.getObject("id", UUID.class)),
                      Optional.ofNullable(rs.getObject("team_id", UUID.class)).map(TeamId::new),
                      StackStatus.parse(rs.getString("status")).orElseThrow(),
                      rs.getString("env")))
              .findOne();
      if (row.isEmpty() || !row.get().team().equals(team)) {
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
      LockTimeouts.setLocal(h, LOCK_TIMEOUT);
      Optional<UUID> id =
          h.createQuery("SELECT id, team_id FROM stacks WHERE slug = :slug FOR UPDATE")
              .bind("slug", slug.value())
              .map((rs, ctx) ->
                  Optional.ofNullable(rs.getObject("team_id", UUID.class))
                          .map(TeamId::new)
                          .equals(team)
                      ? rs.getObject("id", UUID.class)
                      : null)
              .findOne();
      if (id.isEmpty()) {
        return Optional.empty();
      }
      h.createUpdate("UPDATE stacks SET status = 'deleting', updated_at = now() WHERE id = :id")
          .bind("id", id.get())
          .execute();
      return find(h, new StackId(id.get()));
    });
  }

  /** One service's status as last observed on the cluster. */
  public record ObservedService(String name, String status, Optional<String> reason) {}

  /**
   * Records what the cluster showed, unless the row is being deleted meanwhile (the teardown owns
   * it then). False when nothing was written.
   */
  public boolean recordLiveStatus(StackId id, StackStatus status, List<ObservedService> services) {
    return jdbi.inTransaction(h -> {
      int updated =
          h.createUpdate(
                  "UPDATE stacks SET status = :status, updated_at = now()"
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

  /** Forgets a stack whose namespace is gone. Only a {@code deleting} row is deleted. */
  public boolean deleteTornDown(StackId id) {
    return jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM stacks WHERE id = :id AND status = 'deleting'")
            .bind("id", id.value())
            .execute())
        == 1;
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
