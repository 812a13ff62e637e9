package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.ResourceToken;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * inventory_sweep with every part real (the api, the worker, the in-process provisioner, embedded
 * Postgres and Redis), armed: a database, role and Redis user leaked two days ago, that no row
 * names, are dropped through the provisioner's audited chokepoint; what the api provisioned stays.
 * The grace is a day, so nothing another test made in this JVM can qualify.
 */
class InventorySweepEndToEndTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String STAMP =
      "instanode created " + Instant.now().minus(Duration.ofDays(2));
  private static Map<String, String> env;
  private static Application app;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    env = TestApplications.environment();
    env.put("ORPHAN_SWEEP_DESTRUCTIVE", "true");
    env.put("ORPHAN_SWEEP_GRACE", "24h");
    env.put("INSTANODE_JOB_INVENTORY_SWEEP_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    env.put("KUBERNETES_MODE", "off");
    app =
        Application.start(
            Config.from(env),
            Set.of(Role.API, Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
    http = HttpJson.fromManyNetworks(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void leakedObjectsNoRowNamesAreDroppedAndProvisionedOnesStay() throws Exception {
    ResourceToken leaked = ResourceToken.random();
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        Statement s = c.createStatement()) {
      // As a crash between creating a resource's objects and recording its row leaves them.
      s.execute("CREATE ROLE \"usr_" + leaked + "\" NOLOGIN");
      s.execute("COMMENT ON ROLE \"usr_" + leaked + "\" IS '" + STAMP + "'");
      s.execute("CREATE DATABASE \"db_" + leaked + "\" OWNER \"usr_" + leaked + "\"");
      s.execute("COMMENT ON DATABASE \"db_" + leaked + "\" IS '" + STAMP + "'");
    }
    ResourceToken leakedCache = ResourceToken.random();
    try (RedisClient client = RedisClient.create(TestRedis.adminUrl());
        StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> admin = c.sync();
      admin.hset(
          "instanode:created",
          "usr_" + leakedCache,
          Long.toString(Instant.now().minus(Duration.ofDays(2)).toEpochMilli()));
      admin.aclSetuser("usr_" + leakedCache, AclSetuserArgs.Builder.off());
    }
    JsonNode kept = provision("/db/new");
    JsonNode keptCache = provision("/cache/new");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() ->
            !exists("SELECT 1 FROM pg_database WHERE datname = 'db_" + leaked + "'")
                && !exists("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + leaked + "'")
                && !redisUserExists("usr_" + leakedCache));

    String keptDb = kept.get("connection_url").asString().replaceAll(".*/(db_[^?]+).*", "$1");
    assertThat(exists("SELECT 1 FROM pg_database WHERE datname = '" + keptDb + "'")).isTrue();
    try (RedisClient client = RedisClient.create(keptCache.get("connection_url").asString());
        StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM audit_log WHERE kind = 'orphan.candidate'"
                    + " AND metadata->>'reason' = 'backend_no_row'"))
        .isGreaterThanOrEqualTo(2);
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'backend_no_row'"
                    + " AND event IN ('deprovision.requested', 'deprovision.dropped')"))
        .as("through the provisioner's audited chokepoint, for the database and the user")
        .isGreaterThanOrEqualTo(4);
  }

  private static JsonNode provision(String path) {
    HttpResponse<String> res = http.postJson(path, "{\"name\":\"kept\"}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static boolean exists(String sql) throws Exception {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next();
    }
  }

  private static boolean redisUserExists(String user) {
    try (RedisClient client = RedisClient.create(TestRedis.adminUrl());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().aclUsers().contains(user);
    }
  }
}
