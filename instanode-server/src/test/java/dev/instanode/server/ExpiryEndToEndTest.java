package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.PostgresUrl;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The api and the worker in one process: an anonymous resource really dies at its TTL. */
class ExpiryEndToEndTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Anonymous resources live 2 s, and the worker looks for expired ones every second. */
  private static Map<String, String> expiringInSeconds() {
    Map<String, String> env = TestApplications.environment();
    env.put("INSTANODE_ANON_TTL", "2s");
    env.put("INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    return env;
  }

  private static Application apiAndWorker(Map<String, String> env) {
    return Application.start(
        Config.from(env),
        Set.of(Role.API, Role.WORKER),
        new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
  }

  @Test
  void anAnonymousDatabaseIsTornDownAndMarkedExpiredAfterItsTtl() throws Exception {
    Map<String, String> env = expiringInSeconds();
    try (Application app = apiAndWorker(env)) {
      HttpResponse<String> res =
          new HttpJson(app.port()).postJson("/db/new", "{\"name\":\"short-lived\"}");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      String token = JSON.readTree(res.body()).get("token").asString();
      PostgresUrl url =
          PostgresUrl.parse(JSON.readTree(res.body()).get("connection_url").asString());
      TestPostgres.connect(url).close();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              assertThat(
                      AnonymousGateHttpTest.count(
                          env,
                          "SELECT count(*) FROM resources WHERE token = '"
                              + token
                              + "' AND status = 'expired'"))
                  .isEqualTo(1));
      // The role is gone, so the URL's login itself is refused.
      assertThatThrownBy(() -> TestPostgres.connect(url).close())
          .as("its URL stops working")
          .hasMessageContaining("password authentication failed");
      try (var c = TestPostgres.connect(TestPostgres.adminUrl());
          var rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT 1 FROM pg_database WHERE datname = '" + url.database() + "'")) {
        assertThat(rs.next()).as("its database is dropped").isFalse();
      }
    }
  }

  @Test
  void anAnonymousWebhookReceiverExpiresWithWhatItStoredAndStopsReceiving() throws Exception {
    Map<String, String> env = expiringInSeconds();
    try (Application app = apiAndWorker(env)) {
      HttpJson http = new HttpJson(app.port());
      HttpResponse<String> res = http.postJson("/webhook/new", "{\"name\":\"short-lived\"}");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      String token = JSON.readTree(res.body()).get("token").asString();
      String receive = "/webhook/receive/" + token;
      assertThat(http.postJson(receive, "{\"n\":1}").statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              assertThat(
                      AnonymousGateHttpTest.count(
                          env,
                          "SELECT count(*) FROM resources WHERE token = '"
                              + token
                              + "' AND status = 'expired'"))
                  .isEqualTo(1));
      assertThat(
              AnonymousGateHttpTest.count(
                  env, "SELECT count(*) FROM webhook_requests WHERE token = '" + token + "'"))
          .as("what it stored is deleted with it")
          .isZero();
      assertThat(
              AnonymousGateHttpTest.count(
                  env,
                  "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'expired'"
                      + " AND resource_type = 'webhook'"))
          .isGreaterThanOrEqualTo(1);
      assertThat(http.postJson(receive, "{\"n\":2}").statusCode()).isEqualTo(404);
    }
  }
}
