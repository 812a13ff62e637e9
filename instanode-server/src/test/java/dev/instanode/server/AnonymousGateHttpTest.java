package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Five anonymous provisions per network per day, shared by every service; Redis down = open. */
class AnonymousGateHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void twentyConcurrentProvisionsFromOneNetworkCreateExactlyFive() throws Exception {
    Map<String, String> env = TestApplications.environment();
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(() -> http.postJson("/db/new", "{\"name\":\"burst\"}"));
      }
      List<HttpResponse<String>> responses = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
        for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
          responses.add(f.get());
        }
      }
      Set<String> created = new HashSet<>();
      for (HttpResponse<String> res : responses) {
        JsonNode body = JSON.readTree(res.body());
        switch (res.statusCode()) {
          case 201 -> created.add(body.get("token").asString());
          case 429 -> {
            BadInputHttpTest.assertEnvelope(res, 429, "provision_limit_reached");
            assertThat(body.get("retry_after_seconds").asInt()).isBetween(1, 86_400);
            assertThat(res.headers().firstValue("Retry-After")).isPresent();
          }
          default -> throw new AssertionError(res.statusCode() + " " + res.body());
        }
      }
      assertThat(created).hasSize(5);
      assertThat(count(env, "SELECT count(*) FROM resources")).isEqualTo(5);

      // Over the limit, even with resources of the same type and env on the network: never one
      // of them (the network is shared by many people), always 429.
      BadInputHttpTest.assertEnvelope(
          http.postJson("/db/new", "{\"name\":\"again\"}"), 429, "provision_limit_reached");
      // The limit is shared by every service.
      BadInputHttpTest.assertEnvelope(
          http.postJson("/cache/new", "{\"name\":\"c\"}"), 429, "provision_limit_reached");
    }
  }

  @Test
  void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.remove("TRUSTED_PROXIES");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      for (int i = 0; i < 5; i++) {
        assertThat(post(http, "203.0.113." + i).statusCode()).isEqualTo(201);
      }
      assertThat(post(http, "198.51.100.7").statusCode())
          .as("an untrusted peer's X-Forwarded-For changes nothing")
          .isEqualTo(429);
    }
    env = TestApplications.environment();
    // Two proxies of ours: the one the test connects from, and 10.0.0.1 in the chain.
    env.put("TRUSTED_PROXIES", "127.0.0.1/32,10.0.0.0/8");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      for (int i = 0; i < 5; i++) {
        assertThat(post(http, "203.0.113." + i).statusCode()).isEqualTo(201);
      }
      assertThat(post(http, "203.0.113.99").statusCode()).as("same /24").isEqualTo(429);
      assertThat(post(http, "198.51.100.7").statusCode()).as("another network").isEqualTo(201);
    }
  }

  @Test
  void withRedisDownProvisioningStillWorksAndTheFailOpenIsCounted() throws Exception {
    Map<String, String> env = TestApplications.environment();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    env.put("REDIS_URL", "redis://default:x@127.0.0.1:" + closed + "/0");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      for (int i = 0; i < 7; i++) {
        assertThat(http.postJson("/db/new", "{\"name\":\"open\"}").statusCode()).isEqualTo(201);
      }
      assertThat(http.get("/metrics").body())
          .contains(
              "instant_fail_open_events_total{reason=\"unavailable\",subsystem=\"anonymous_gate\"}");
      HttpResponse<String> ready = http.get("/readyz");
      assertThat(ready.statusCode()).as("redis is not critical").isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).get("overall").asString()).isEqualTo("degraded");
    }
  }

  @Test
  void aBadBearerIs401NeverAnonymous() {
    try (Application app = TestApplications.start()) {
      HttpResponse<String> res =
          new HttpJson(app.port())
              .post(
                  "/db/new",
                  "{\"name\":\"x\"}",
                  Map.of("Content-Type", "application/json", "Authorization", "Bearer nonsense"));
      BadInputHttpTest.assertEnvelope(res, 401, "unauthorized");
      assertThat(res.headers().firstValue("WWW-Authenticate"))
          .contains("Bearer realm=\"instanode\"");
    }
  }

  private static HttpResponse<String> post(HttpJson http, String forwardedFor) {
    return http.post(
        "/db/new",
        "{\"name\":\"fwd\"}",
        Map.of("Content-Type", "application/json", "X-Forwarded-For", forwardedFor + ", 10.0.0.1"));
  }

  static String scalar(Map<String, String> env, String sql) throws Exception {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static long count(Map<String, String> env, String sql) throws Exception {
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
