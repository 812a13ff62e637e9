package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A provision that fails anywhere answers 503, marks the row failed, and leaves nothing. */
class ProvisionFailureHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void aFailureAfterCreateDatabaseRollsEverythingBack() throws SQLException {
    Map<String, String> env = TestApplications.environment();
    ProvisionStepHook failAfterCreateDatabase =
        (step, token) -> {
          if (step.equals("create_database")) {
            throw new IllegalStateException("injected failure after " + step);
          }
        };
    try (Application app = TestApplications.start(env, failAfterCreateDatabase)) {
      HttpResponse<String> res =
          new HttpJson(app.port()).postJson("/db/new", "{\"name\":\"doomed\"}");
      BadInputHttpTest.assertEnvelope(res, 503, "provision_failed");
      assertThat(res.body()).doesNotContain("postgres://");
      assertThat(res.headers().firstValue("Retry-After")).contains("30");

      String token = onlyToken(env, "failed");
      assertThat(exists("SELECT 1 FROM pg_database WHERE datname = 'db_" + token + "'")).isFalse();
      assertThat(exists("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + token + "'")).isFalse();
    }
  }

  @Test
  void aCustomerClusterThatIsDownGives503AndAFailedRow() throws Exception {
    Map<String, String> env = TestApplications.environment();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    env.put("CUSTOMER_DATABASE_URLS", "postgres://postgres@127.0.0.1:" + closedPort + "/postgres");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      HttpResponse<String> res = http.postJson("/db/new", "{\"name\":\"nowhere\"}");
      BadInputHttpTest.assertEnvelope(res, 503, "provision_failed");
      onlyToken(env, "failed");
      HttpResponse<String> ready = http.get("/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode report = JSON.readTree(ready.body());
      assertThat(report.get("overall").asString()).isEqualTo("failed");
    }
  }

  @Test
  void fiveBackendFailuresOpenTheCircuitAndTheApiSaysProvisionerUnavailable() {
    Map<String, String> env = TestApplications.environment();
    ProvisionStepHook alwaysFails =
        (step, token) -> {
          if (!step.startsWith(ProvisionStepHook.TEARDOWN_PREFIX)) {
            throw new IllegalStateException("backend broken at " + step);
          }
        };
    try (Application app = TestApplications.start(env, alwaysFails)) {
      HttpJson http = new HttpJson(app.port());
      for (int i = 0; i < 5; i++) {
        BadInputHttpTest.assertEnvelope(
            http.postJson("/db/new", "{\"name\":\"n\"}"), 503, "provision_failed");
      }
      HttpResponse<String> res = http.postJson("/db/new", "{\"name\":\"n\"}");
      BadInputHttpTest.assertEnvelope(res, 503, "provisioner_unavailable");
      assertThat(res.headers().firstValue("Retry-After")).contains("30");
      assertThat(http.get("/metrics").body())
          .contains("instant_provisioner_circuit_opens_total{backend=\"postgres_shared\"} 1.0");
    }
  }

  private static String onlyToken(Map<String, String> env, String expectedStatus)
      throws SQLException {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env));
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT token, status, connection_url FROM resources")) {
      assertThat(rs.next()).isTrue();
      String token = rs.getString(1);
      assertThat(rs.getString(2)).isEqualTo(expectedStatus);
      assertThat(rs.getString(3)).isNull();
      assertThat(rs.next()).as("exactly one row").isFalse();
      return token;
    }
  }

  private static boolean exists(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next();
    }
  }
}
