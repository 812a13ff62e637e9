package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class IdempotencyHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void theSameKeyAndBodyReplaysTheFirstResponse() throws Exception {
    Map<String, String> env = TestApplications.environment();
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      HttpResponse<String> first = post(http, "key-1-0123456789abcdef", "{\"name\":\"once\"}");
      HttpResponse<String> second = post(http, "key-1-0123456789abcdef", "{\"name\":\"once\"}");
      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(second.statusCode()).isEqualTo(201);
      assertThat(second.headers().firstValue("X-Idempotent-Replay")).contains("true");
      assertThat(first.headers().firstValue("X-Idempotent-Replay")).isEmpty();
      assertThat(JSON.readTree(second.body()).get("token").asString())
          .isEqualTo(JSON.readTree(first.body()).get("token").asString());
      assertThat(AnonymousGateHttpTest.count(env, "SELECT count(*) FROM resources")).isEqualTo(1);

      BadInputHttpTest.assertEnvelope(
          post(http, "key-1-0123456789abcdef", "{\"name\":\"different\"}"),
          409,
          "idempotency_key_conflict");
      BadInputHttpTest.assertEnvelope(
          http.post(
              "/db/new?env=staging",
              "{\"name\":\"once\"}",
              Map.of(
                  "Content-Type", "application/json", "Idempotency-Key", "key-1-0123456789abcdef")),
          409,
          "idempotency_key_conflict");
      try (RedisClient client = RedisClient.create(env.get("REDIS_URL"));
          StatefulRedisConnection<String, String> redis = client.connect()) {
        for (String key : redis.sync().keys("idem:*")) {
          assertThat(redis.sync().get(key))
              .as("stored replies hold credentials only encrypted")
              .doesNotContain("postgres://")
              .doesNotContain("usr_");
        }
      }
      BadInputHttpTest.assertEnvelope(
          post(http, "x".repeat(256), "{\"name\":\"once\"}"), 400, "invalid_idempotency_key");
      // Without an account the scope is a shared network: a guessable key would replay one
      // person's credentials to a neighbour.
      BadInputHttpTest.assertEnvelope(
          post(http, "retry-1", "{\"name\":\"once\"}"), 400, "invalid_idempotency_key");
    }
  }

  @Test
  void aKeyStillInFlightIs409() throws Exception {
    Map<String, String> env = TestApplications.environment();
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      // Another replica is working on this key: its in-flight marker is already there.
      try (RedisClient client = RedisClient.create(env.get("REDIS_URL"));
          StatefulRedisConnection<String, String> redis = client.connect()) {
        HttpResponse<String> probe = post(http, "probe-0123456789abcdef", "{\"name\":\"p\"}");
        assertThat(probe.statusCode()).isEqualTo(201);
        String probeKey = redis.sync().keys("idem:*").getFirst();
        String inFlightKey =
            probeKey.substring(0, probeKey.lastIndexOf(':') + 1) + sha256("busy-0123456789abcdef");
        String bodyHash = sha256("{\"name\":\"b\"}");
        redis
            .sync()
            .setex(
                inFlightKey, 60, "{\"state\":\"in_progress\",\"body_hash\":\"" + bodyHash + "\"}");
      }
      BadInputHttpTest.assertEnvelope(
          post(http, "busy-0123456789abcdef", "{\"name\":\"b\"}"),
          409,
          "idempotency_key_in_progress");
    }
  }

  @Test
  void aServerErrorIsNeverStoredSoARetryReallyRetries() throws Exception {
    Map<String, String> env = TestApplications.environment();
    ProvisionStepHook alwaysFails =
        (step, token) -> {
          if (!step.startsWith(ProvisionStepHook.TEARDOWN_PREFIX)) {
            throw new IllegalStateException("down");
          }
        };
    try (Application app = TestApplications.start(env, alwaysFails)) {
      HttpJson http = new HttpJson(app.port());
      HttpResponse<String> first = post(http, "retry-me-0123456789abcdef", "{\"name\":\"r\"}");
      HttpResponse<String> second = post(http, "retry-me-0123456789abcdef", "{\"name\":\"r\"}");
      assertThat(first.statusCode()).isEqualTo(503);
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(second.headers().firstValue("X-Idempotent-Replay")).isEmpty();
      assertThat(AnonymousGateHttpTest.count(env, "SELECT count(*) FROM resources"))
          .as("both really ran")
          .isEqualTo(2);
    }
  }

  private static HttpResponse<String> post(HttpJson http, String key, String body) {
    return http.post(
        "/db/new", body, Map.of("Content-Type", "application/json", "Idempotency-Key", key));
  }

  private static String sha256(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
