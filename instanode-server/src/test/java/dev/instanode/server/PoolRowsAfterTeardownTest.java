package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.pool.PoolRepository;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pooled resource's teardown settles its pool row: deleted or expired, it leaves no {@code
 * assigned} row for the orphan pass to report for ever.
 */
class PoolRowsAfterTeardownTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void deletingOrExpiringAPooledResourceForgetsItsPoolRowAndTheOrphanGaugeReadsZero()
      throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("POOL_POSTGRES_SIZE", "2");
    env.put("INSTANODE_ANON_TTL", "2s");
    env.put("INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    try (CapturedLog log = new CapturedLog();
        Application app =
            Application.start(
                Config.from(env),
                Set.of(Role.API, Role.WORKER),
                new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> count(env, "status = 'ready'") == 2);
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);

      String deleted = poolToken(provision(http, Teams.bearer(team.apiKey())));
      String expiring = poolToken(provision(http, Map.of("Content-Type", "application/json")));
      assertThat(count(env, "status = 'assigned'")).isEqualTo(2);

      String token =
          AnonymousGateHttpTest.scalar(
              env,
              "SELECT token::text FROM resources WHERE provider_resource_id LIKE '%"
                  + deleted
                  + "'");
      HttpResponse<String> res =
          http.delete("/api/v1/resources/" + token, Teams.bearer(team.apiKey()));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      assertThat(count(env, "pool_token = '" + deleted + "'"))
          .as("the deleted resource's pool row went with its database")
          .isZero();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count(env, "pool_token = '" + expiring + "'") == 0);
      assertThat(log.lines())
          .as("pool tokens are masked in logs like every token")
          .isNotEmpty()
          .noneMatch(line -> line.contains(deleted) || line.contains(expiring));

      // Long after both, the orphan pass has nothing to decide: no item is still assigned.
      try (ProvisionerDatabase pool =
          ProvisionerDatabase.connect(TestApplications.platformUrl(env), 2)) {
        assertThat(
                new PoolRepository(pool.jdbi())
                    .assignedOlderThan(Instant.now().plus(Duration.ofHours(2)), 200))
            .isEmpty();
      }
    }
  }

  private static JsonNode provision(HttpJson http, Map<String, String> headers) {
    HttpResponse<String> res = http.post("/db/new", "{\"name\":\"pooled\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  /** The pool token a pooled resource's database is named after. */
  private static String poolToken(JsonNode provisioned) {
    String url = provisioned.get("connection_url").asString();
    String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    assertThat(database).startsWith("db_pool-");
    return database.substring("db_".length());
  }

  private static long count(Map<String, String> env, String where) throws Exception {
    return AnonymousGateHttpTest.count(
        env, "SELECT count(*) FROM provisioner.pool_items WHERE " + where);
  }
}
