package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With every platform connection taken, a request that needs one gets 503 with Retry-After (load,
 * not a bug), /healthz still answers without the database, and /readyz reports a code.
 */
class BusyPlatformDatabaseHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension
  static final RunningApi api =
      RunningApi.with("DATABASE_POOL_SIZE", "1", "DATABASE_POOL_TIMEOUT", "500ms");

  @Test
  void aFullPoolIs503WithRetryAfterAndHealthzStillAnswers() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    CompletableFuture<HttpResponse<String>> holder;
    try (Connection locker = TestPostgres.connect(TestApplications.platformUrl(api.env()))) {
      locker.setAutoCommit(false);
      locker.createStatement().execute("LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE");
      // This request takes the only pooled connection and waits on the lock.
      holder =
          CompletableFuture.supplyAsync(
              () -> api.http().get("/api/v1/resources", Teams.bearer(team.apiKey())));
      Thread.sleep(500);

      HttpResponse<String> busy = api.http().get("/api/v1/resources", Teams.bearer(team.apiKey()));
      BadInputHttpTest.assertEnvelope(busy, 503, "service_unavailable");
      assertThat(busy.headers().firstValue("Retry-After")).hasValue("2");

      HttpResponse<String> health = api.http().get("/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).get("migration_version").asString()).isNotBlank();

      HttpResponse<String> ready = api.http().get("/readyz");
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
