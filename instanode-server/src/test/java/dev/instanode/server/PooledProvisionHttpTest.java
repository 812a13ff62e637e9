package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.PostgresUrl;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** With a warm pool, /db/new hands out a pre-made database that works like a live one. */
class PooledProvisionHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void aWarmPoolServesAPreMadeDatabaseThatWorks() throws SQLException {
    Map<String, String> env = TestApplications.environment();
    env.put("POOL_POSTGRES_SIZE", "2");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> readyItems(env) == 2);
      HttpJson http = new HttpJson(app.port());

      JsonNode pooled = provision(http, "pooled");
      String token = pooled.get("token").asString();
      PostgresUrl url = PostgresUrl.parse(pooled.get("connection_url").asString());
      assertThat(url.database()).startsWith("db_pool-").isNotEqualTo("db_" + token);
      try (Connection c = TestPostgres.connect(url)) {
        c.createStatement().execute("CREATE TABLE works (id int)");
      }
      String prid =
          scalar(env, "SELECT provider_resource_id FROM resources WHERE token = '" + token + "'");
      assertThat(prid).startsWith("local:0;pooltok:pool-").endsWith(url.database().substring(3));
      assertThat(
              scalar(
                  env,
                  "SELECT bound_token::text FROM provisioner.pool_items WHERE pool_token = '"
                      + url.database().substring(3)
                      + "'"))
          .isEqualTo(token);

      assertThat(app.port()).isPositive();
      String metrics = http.get("/metrics").body();
      assertThat(metrics)
          .contains("instant_pool_claims_total{outcome=\"hit\",resource_type=\"postgres\"}");
    }
  }

  @Test
  void aClaimedItemThatCannotBeRecordedIsDroppedNotHandedOut() throws SQLException {
    Map<String, String> env = TestApplications.environment();
    env.put("POOL_POSTGRES_SIZE", "1");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> readyItems(env) == 1);
      String poolToken =
          scalar(env, "SELECT pool_token FROM provisioner.pool_items WHERE status = 'ready'");
      // The platform database refuses the resource row, after the pool item was claimed.
      execute(
          env,
          "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN RAISE EXCEPTION 'injected: resources row refused'; END $$");
      execute(
          env,
          "CREATE TRIGGER refuse BEFORE INSERT ON resources FOR EACH ROW EXECUTE FUNCTION"
              + " refuse_row()");

      HttpResponse<String> res =
          new HttpJson(app.port()).postJson("/db/new", "{\"name\":\"unrecorded\"}");

      BadInputHttpTest.assertEnvelope(res, 503, "provision_failed");
      assertThat(res.body()).doesNotContain("postgres://");
      assertThat(adminScalar("SELECT 1 FROM pg_database WHERE datname = 'db_" + poolToken + "'"))
          .as("its database was dropped")
          .isNull();
      assertThat(adminScalar("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + poolToken + "'"))
          .isNull();
      assertThat(
              scalar(
                  env,
                  "SELECT status FROM provisioner.pool_items WHERE pool_token = '"
                      + poolToken
                      + "'"))
          .as("its tracking row went after the drop")
          .isNull();
      assertThat(scalar(env, "SELECT count(*)::text FROM resources")).isEqualTo("0");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() ->
              "persistence"
                  .equals(
                      scalar(
                          env,
                          "SELECT metadata->>'reason' FROM audit_log"
                              + " WHERE kind = 'provision.failed'")));
    }
  }

  private static void execute(Map<String, String> env, String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env))) {
      c.createStatement().execute(sql);
    }
  }

  private static String adminScalar(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static JsonNode provision(HttpJson http, String name) {
    HttpResponse<String> res = http.postJson("/db/new", "{\"name\":\"" + name + "\"}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static int readyItems(Map<String, String> env) throws SQLException {
    return Integer.parseInt(
        scalar(env, "SELECT count(*)::text FROM provisioner.pool_items WHERE status = 'ready'"));
  }

  private static String scalar(Map<String, String> env, String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
