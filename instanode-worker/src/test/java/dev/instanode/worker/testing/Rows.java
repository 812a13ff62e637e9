package dev.instanode.worker.testing;

import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Inserts exactly the platform rows a test needs, and reads back what it asserts on. */
public final class Rows {
  private final Jdbi jdbi;

  public Rows(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public TeamId team(String planTier, String status) {
    return new TeamId(
        jdbi.withHandle(h ->
            h.createQuery(
                    "INSERT INTO teams (name, plan_tier, status) VALUES ('t', :tier, :status)"
                        + " RETURNING id")
                .bind("tier", planTier)
                .bind("status", status)
                .mapTo(UUID.class)
                .one()));
  }

  public Resource resource() {
    return new Resource();
  }

  public record Inserted(ResourceId id, ResourceToken token) {}

  /** A resources row; defaults: anonymous active postgres, shared cluster 0, URL stored. */
  public final class Resource {
    private Optional<TeamId> team = Optional.empty();
    private String type = "postgres";
    private String tier = "anonymous";
    private String status = "active";
    private Optional<Instant> expiresAt = Optional.empty();
    private Optional<String> prid = Optional.of("local:0");
    private Optional<String> url = Optional.of("sealed-url");
    private Optional<Integer> appliedConnLimit = Optional.empty();
    private Optional<Instant> createdAt = Optional.empty();
    private ResourceToken token = ResourceToken.random();

    public Resource team(TeamId t) {
      team = Optional.of(t);
      return this;
    }

    public Resource type(String t) {
      type = t;
      return this;
    }

    public Resource tier(String t) {
      tier = t;
      return this;
    }

    public Resource status(String s) {
      status = s;
      return this;
    }

    public Resource expiresAt(Instant at) {
      expiresAt = Optional.of(at);
      return this;
    }

    public Resource providerResourceId(String p) {
      prid = Optional.ofNullable(p);
      return this;
    }

    public Resource connectionUrl(String u) {
      url = Optional.ofNullable(u);
      return this;
    }

    public Resource appliedConnLimit(Integer limit) {
      appliedConnLimit = Optional.ofNullable(limit);
      return this;
    }

    public Resource createdAt(Instant at) {
      createdAt = Optional.of(at);
      return this;
    }

    public Resource token(ResourceToken t) {
      token = t;
      return this;
    }

    public Inserted insert() {
      UUID id =
          jdbi.withHandle(h ->
              h.createQuery(
                      "INSERT INTO resources (token, team_id, resource_type, name, tier, status,"
                          + " connection_url, provider_resource_id, applied_conn_limit,"
                          + " expires_at, created_at) VALUES (:token, :team, :type, 'r', :tier,"
                          + " :status, :url, :prid, :limit, :expires,"
                          + " COALESCE(CAST(:created AS timestamptz), now())) RETURNING id")
                  .bind("token", token.value())
                  .bind("team", team.map(TeamId::value).orElse(null))
                  .bind("type", type)
                  .bind("tier", tier)
                  .bind("status", status)
                  .bind("url", url.orElse(null))
                  .bind("prid", prid.orElse(null))
                  .bind("limit", appliedConnLimit.orElse(null))
                  .bind("expires", expiresAt.map(i -> i.atOffset(ZoneOffset.UTC)).orElse(null))
                  .bind("created", createdAt.map(i -> i.atOffset(ZoneOffset.UTC)).orElse(null))
                  .mapTo(UUID.class)
                  .one());
      return new Inserted(new ResourceId(id), token);
    }
  }

  public String status(ResourceId id) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT status FROM resources WHERE id = :id")
            .bind("id", id.value())
            .mapTo(String.class)
            .one());
  }

  public Optional<Integer> appliedConnLimit(ResourceId id) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT applied_conn_limit FROM resources WHERE id = :id")
            .bind("id", id.value())
            .mapTo(Integer.class)
            .findOne());
  }

  public int auditCount(String kind) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT count(*) FROM audit_log WHERE kind = :kind")
            .bind("kind", kind)
            .mapTo(Integer.class)
            .one());
  }

  public void execute(String sql, Object... args) {
    jdbi.useHandle(h -> h.execute(sql, args));
  }
}
