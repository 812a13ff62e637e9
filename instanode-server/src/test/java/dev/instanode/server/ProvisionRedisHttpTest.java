package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.testkit.HttpJson;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProvisionRedisHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void cacheNewReturnsAUserConfinedToItsPrefix() {
    try (Application app = TestApplications.start()) {
      HttpResponse<String> res =
          new HttpJson(app.port()).postJson("/cache/new", "{\"name\":\"sessions\"}");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      JsonNode body = JSON.readTree(res.body());
      String token = body.get("token").asString();
      assertThat(body.get("resource_type").asString()).isEqualTo("redis");
      assertThat(body.get("key_prefix").asString()).isEqualTo(token + ":");
      assertThat(body.at("/limits/memory_mb").asInt()).isEqualTo(5);
      String url = body.get("connection_url").asString();
      assertThat(url).startsWith("redis://usr_" + token + ":").endsWith("/0");

      try (RedisClient client = RedisClient.create(url);
          StatefulRedisConnection<String, String> c = client.connect()) {
        RedisCommands<String, String> redis = c.sync();
        redis.set(token + ":greeting", "hello");
        assertThat(redis.get(token + ":greeting")).isEqualTo("hello");
        assertThatThrownBy(() -> redis.set("elsewhere", "x")).hasMessageContaining("NOPERM");
        assertThatThrownBy(redis::flushall).hasMessageContaining("NOPERM");
      }
    }
  }
}
