package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.PostgresUrl;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProvisionPostgresHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void returnsAWorkingDatabaseUrlWithTheDocumentedShape() throws SQLException {
    HttpResponse<String> res =
        api.fromManyNetworks().postJson("/db/new", "{\"name\":\"my-app-db\"}");
    assertThat(res.statusCode()).isEqualTo(201);
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("ok").asBoolean()).isTrue();
    assertThat(body.get("id").asString()).isNotEqualTo(body.get("token").asString());
    assertThat(body.get("name").asString()).isEqualTo("my-app-db");
    assertThat(body.get("resource_type").asString()).isEqualTo("postgres");
    assertThat(body.get("tier").asString()).isEqualTo("anonymous");
    assertThat(body.get("env").asString()).isEqualTo("development");
    assertThat(body.at("/limits/connections").asInt()).isEqualTo(2);
    assertThat(body.at("/limits/storage_mb").asInt()).isEqualTo(10);
    assertThat(body.at("/limits/expires_in").asString()).isEqualTo("24h");
    Instant expires = Instant.parse(body.get("expires_at").asString());
    assertThat(expires)
        .isBetween(Instant.now().plusSeconds(23 * 3600), Instant.now().plusSeconds(24 * 3600 + 5));
    String token = body.get("token").asString();
    String url = body.get("connection_url").asString();
    assertThat(url)
        .startsWith("postgres://usr_" + token + ":")
        .contains("/db_" + token + "?sslmode=disable");

    try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (body text)");
      s.execute("INSERT INTO notes VALUES ('hello')");
      try (ResultSet rs = s.executeQuery("SELECT body FROM notes")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("hello");
      }
    }
    assertThat(res.headers().firstValue("X-Request-ID")).isPresent();
    assertThat(res.headers().firstValue("Server-Timing").orElseThrow())
        .matches("app;dur=\\d+\\.\\d{3}");
  }

  @Test
  void storesTheUrlEncryptedAndWritesAnAuditRow() {
    HttpResponse<String> res =
        api.fromManyNetworks()
            .post(
                "/db/new",
                "{\"name\":\"audited\",\"env\":\"staging\"}",
                Map.of("Content-Type", "application/json", "X-Request-ID", "req-audit-1"));
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.headers().firstValue("X-Request-ID")).contains("req-audit-1");
    JsonNode body = JSON.readTree(res.body());
    String token = body.get("token").asString();
    String url = body.get("connection_url").asString();

    Map<String, Object> row =
        query(
            "SELECT status, env, connection_url, expires_at IS NOT NULL AS expires FROM resources WHERE token = '"
                + token
                + "'");
    assertThat(row.get("status")).isEqualTo("active");
    assertThat(row.get("env")).isEqualTo("staging");
    assertThat((String) row.get("connection_url"))
        .isNotBlank()
        .isNotEqualTo(url)
        .doesNotContain("usr_");
    assertThat(row.get("expires")).isEqualTo(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() ->
            assertThat(
                    query(
                            "SELECT count(*)::int AS n FROM audit_log WHERE kind = 'provision'"
                                + " AND request_id = 'req-audit-1' AND team_id IS NULL")
                        .get("n"))
                .isEqualTo(1));
  }

  @Test
  void twoTenantsCannotReachEachOther() throws SQLException {
    PostgresUrl a = provisionUrl("tenant-a");
    PostgresUrl b = provisionUrl("tenant-b");
    for (String other :
        List.of(
            b.database(),
            "postgres",
            "template1",
            TestApplications.platformUrl(api.env()).database())) {
      assertThatThrownBy(() -> TestPostgres.connect(a.withDatabase(other)).close())
          .as("tenant A opening " + other)
          .hasMessageContaining("permission denied");
    }
    PostgresUrl bWithAsPassword =
        new PostgresUrl(b.host(), b.port(), b.database(), b.user(), a.password());
    assertThatThrownBy(() -> TestPostgres.connect(bWithAsPassword).close())
        .hasMessageContaining("password authentication failed");
    TestPostgres.connect(b).close();
  }

  @Test
  void connectionsBeyondTheAnonymousLimitFail() throws SQLException {
    PostgresUrl url = provisionUrl("limited");
    List<Connection> open = new ArrayList<>();
    try {
      open.add(TestPostgres.connect(url));
      open.add(TestPostgres.connect(url));
      assertThatThrownBy(() -> open.add(TestPostgres.connect(url)))
          .hasMessageContaining("too many connections for role");
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  @Test
  void metricsCountProvisionsAndRequests() {
    provisionUrl("metered");
    HttpResponse<String> metrics = api.fromManyNetworks().get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("instant_provisions_total{service=\"postgres\",tier=\"anonymous\"}")
        .contains(
            "instant_provision_duration_seconds_count{service=\"postgres\",source=\"live\",tier=\"anonymous\"}")
        .contains(
            "instant_http_request_duration_seconds_count{method=\"POST\",route=\"/db/new\",status_class=\"2xx\"}");
  }

  @Test
  void operationalEndpointsAnswer() {
    assertThat(JSON.readTree(api.fromManyNetworks().get("/livez").body()).get("alive").asBoolean())
        .isTrue();
    JsonNode health = JSON.readTree(api.fromManyNetworks().get("/healthz").body());
    assertThat(health.get("migration_version").asString())
        .isEqualTo(
            query("SELECT max(version::int)::text AS v FROM flyway_schema_history WHERE success")
                .get("v"));
    assertThat(health.get("service").asString()).isEqualTo("instanode-api");
    HttpResponse<String> ready = api.fromManyNetworks().get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("overall").asString()).isEqualTo("ok");
    JsonNode caps = JSON.readTree(api.fromManyNetworks().get("/api/v1/capabilities").body());
    assertThat(caps.at("/tiers/0/tier").asString()).isEqualTo("anonymous");
    assertThat(caps.at("/tiers/0/postgres/connections").asInt()).isEqualTo(2);
    assertThat(caps.at("/tiers/6/tier").asString()).isEqualTo("team");
    assertThat(caps.at("/tiers/6/postgres/connections").asInt()).isEqualTo(-1);
    assertThat(caps.at("/tiers/2/provisions_per_day").asInt()).isEqualTo(-1);
  }

  private static PostgresUrl provisionUrl(String name) {
    HttpResponse<String> res =
        api.fromManyNetworks().postJson("/db/new", "{\"name\":\"" + name + "\"}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return PostgresUrl.parse(JSON.readTree(res.body()).get("connection_url").asString());
  }

  static Map<String, Object> query(String sql) {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(api.env()));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      if (!rs.next()) {
        return Map.of();
      }
      Map<String, Object> row = new java.util.HashMap<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
      }
      return row;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
