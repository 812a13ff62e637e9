package dev.instanode.store;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@code broker_instances}, {@code broker_bindings} and {@code broker_team}: what the Open Service
 * Broker API's platform ids stand for. Every method runs on the caller's handle, so the broker
 * holds an instance's row lock across what it does to the instance.
 */
public final class BrokerRepository {
  private BrokerRepository() {}

  /** Where an instance is in its life. */
  public enum State {
    PROVISIONING("provisioning"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    DELETING("deleting");

    private final String wire;

    State(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static State of(String wire) {
      for (State s : values()) {
        if (s.wire.equals(wire)) {
          return s;
        }
      }
      throw new IllegalStateException("unknown broker instance state " + wire);
    }
  }

  /** One instance as stored. {@code resourceToken} is empty until its resource row exists. */
  public record Instance(
      String instanceId,
      TeamId teamId,
      String serviceId,
      String planId,
      String requestDigest,
      String resourceName,
      Optional<ResourceToken> resourceToken,
      State state,
      boolean async,
      Instant createdAt) {}

  /** One binding as stored, its credentials still sealed. */
  public record Binding(String bindingId, String instanceId, String requestDigest, String sealed) {}

  /** Inserts a {@code provisioning} instance; false when the id is taken (by any request). */
  public static boolean insertProvisioning(
      Handle h,
      String instanceId,
      TeamId team,
      String serviceId,
      String planId,
      String digest,
      String resourceName,
      boolean async) {
    return h.createUpdate(
                "INSERT INTO broker_instances (instance_id, team_id, service_id, plan_id,"
                    + " request_digest, resource_name, state, async) VALUES (:id, :team, :service,"
                    + " :plan, :digest, :name, 'provisioning', :async)"
                    + " ON CONFLICT (instance_id) DO NOTHING")
            .bind("id", instanceId)
            .bind("team", team.value())
            .bind("service", serviceId)
            .bind("plan", planId)
            .bind("digest", digest)
            .bind("name", resourceName)
            .bind("async", async)
            .execute()
        == 1;
  }

  public static Optional<Instance> find(Handle h, String instanceId) {
    return h.createQuery("SELECT * FROM broker_instances WHERE instance_id = :id")
        .bind("id", instanceId)
        .map(BrokerRepository::instance)
        .findOne();
  }

  /** The instance, its row locked until the transaction ends. */
  public static Optional<Instance> lock(Handle h, String instanceId) {
    return h.createQuery("SELECT * FROM broker_instances WHERE instance_id = :id FOR UPDATE")
        .bind("id", instanceId)
        .map(BrokerRepository::instance)
        .findOne();
  }

  /**
   * Records the instance's resource and moves it to {@code state}, only while it is still
   * provisioning; false when it is not (a deprovision got there first).
   */
  public static boolean recordResource(
      Handle h, String instanceId, ResourceToken token, State state) {
    return h.createUpdate(
                "UPDATE broker_instances SET resource_token = :token, state = :state"
                    + " WHERE instance_id = :id AND state = 'provisioning'")
            .bind("token", token.value())
            .bind("state", state.wire())
            .bind("id", instanceId)
            .execute()
        == 1;
  }

  public static void setState(Handle h, String instanceId, State state) {
    h.createUpdate("UPDATE broker_instances SET state = :state WHERE instance_id = :id")
        .bind("state", state.wire())
        .bind("id", instanceId)
        .execute();
  }

  /** Forgets the instance and, with it, its bindings. */
  public static void delete(Handle h, String instanceId) {
    h.createUpdate("DELETE FROM broker_instances WHERE instance_id = :id")
        .bind("id", instanceId)
        .execute();
  }

  /** True when an instance records {@code token} as its resource. */
  public static boolean recordsResource(Handle h, ResourceToken token) {
    return h.createQuery(
            "SELECT EXISTS (SELECT 1 FROM broker_instances WHERE resource_token = :token)")
        .bind("token", token.value())
        .mapTo(Boolean.class)
        .one();
  }

  public static Optional<Binding> findBinding(Handle h, String bindingId) {
    return h.createQuery("SELECT * FROM broker_bindings WHERE binding_id = :id")
        .bind("id", bindingId)
        .map((rs, ctx) ->
            new Binding(
                rs.getString("binding_id"),
                rs.getString("instance_id"),
                rs.getString("request_digest"),
                rs.getString("credentials_encrypted")))
        .findOne();
  }

  public static void insertBinding(
      Handle h, String bindingId, String instanceId, String digest, String sealed) {
    h.createUpdate(
            "INSERT INTO broker_bindings (binding_id, instance_id, request_digest,"
                + " credentials_encrypted) VALUES (:id, :instance, :digest, :sealed)")
        .bind("id", bindingId)
        .bind("instance", instanceId)
        .bind("digest", digest)
        .bind("sealed", sealed)
        .execute();
  }

  public static void deleteBinding(Handle h, String bindingId) {
    h.createUpdate("DELETE FROM broker_bindings WHERE binding_id = :id")
        .bind("id", bindingId)
        .execute();
  }

  public static int bindingCount(Handle h, String instanceId) {
    return h.createQuery("SELECT count(*) FROM broker_bindings WHERE instance_id = :id")
        .bind("id", instanceId)
        .mapTo(Integer.class)
        .one();
  }

  /** The broker's own team, when it has made one. */
  public static Optional<TeamId> ownTeam(Handle h) {
    return h.createQuery("SELECT team_id FROM broker_team")
        .map((rs, ctx) -> new TeamId(rs.getObject("team_id", UUID.class)))
        .findOne();
  }

  /** Records the broker's own team; false when another process recorded one first. */
  public static boolean recordOwnTeam(Handle h, TeamId team) {
    return h.createUpdate("INSERT INTO broker_team (team_id) VALUES (:team) ON CONFLICT DO NOTHING")
            .bind("team", team.value())
            .execute()
        == 1;
  }

  private static Instance instance(ResultSet rs, StatementContext ctx) throws SQLException {
    UUID token = rs.getObject("resource_token", UUID.class);
    return new Instance(
        rs.getString("instance_id"),
        new TeamId(rs.getObject("team_id", UUID.class)),
        rs.getString("service_id"),
        rs.getString("plan_id"),
        rs.getString("request_digest"),
        rs.getString("resource_name"),
        Optional.ofNullable(token).map(ResourceToken::new),
        State.of(rs.getString("state")),
        rs.getBoolean("async"),
        rs.getTimestamp("created_at").toInstant());
  }
}
