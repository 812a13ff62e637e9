package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With every platform connection taken, a request that needs one gets 503 with Retry-After (load,
 * not a bug), /healthz still answers without the database, and /readyz reports a code.
 */
class BusyPlatformDatabaseHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static Map<String, String> env;
  private static Application app;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    env = TestApplications.environment();
    env.put("DATABASE_POOL_SIZE", "1");
    env.put("DATABASE_POOL_TIMEOUT", "500ms");
    app = TestApplications.start(env, ProvisionStepHook.NONE);
    http = new HttpJson(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void aFullPoolIs503WithRetryAfterAndHealthzStillAnswers() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    CompletableFuture<HttpResponse<String>> holder;
    try (Connection locker = TestPostgres.connect(TestApplications.platformUrl(env))) {
      locker.setAutoCommit(false);
      locker.createStatement().execute("LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE");
      // This request takes the only pooled connection and waits on the lock.
      holder =
          CompletableFuture.supplyAsync(
              () -> http.get("/api/v1/resources", Teams.bearer(team.apiKey())));
      Thread.sleep(500);

      HttpResponse<String> busy = http.get("/api/v1/resources", Teams.bearer(team.apiKey()));
      BadInputHttpTest.assertEnvelope(busy, 503, "service_unavailable");
      assertThat(busy.headers().firstValue("Retry-After")).hasValue("2");

      HttpResponse<String> health = http.get("/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).get("migration_version").asString()).isNotBlank();

      HttpResponse<String> ready = http.get("/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode db = null;
      for (JsonNode check : JSON.readTree(ready.body()).get("checks")) {
        if (check.get("name").asString().equals("platform_db")) {
          db = check;
        }
      }
      assertThat(db).isNotNull();
      assertThat(db.get("code").asString()).isEqualTo("unreachable");
      assertThat(ready.body()).doesNotContain("Exception").doesNotContain("Hikari");
      locker.rollback();
    }
    assertThat(holder.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
