package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static Map<String, String> valid() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "postgres://u:p@db:5432/instanode");
    env.put(
        "CUSTOMER_DATABASE_URLS", "postgres://a:b@c1:5432/postgres, postgres://a:b@c2/postgres");
    env.put("REDIS_URL", "redis://default:pw@redis:6379/0");
    env.put("AES_KEY", "ab".repeat(32));
    env.put("JWT_SECRET", "s".repeat(32));
    return env;
  }

  @Test
  void readsAValidEnvironmentWithDefaults() {
    Config c = Config.from(valid());
    assertThat(c.customerDatabaseUrls()).hasSize(2);
    assertThat(c.customerDatabaseUrls().get(1).port()).isEqualTo(5432);
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.anonymousTtl()).hasHours(24);
    assertThat(c.publicBaseUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.internalJwtSecret()).isEmpty();
  }

  @Test
  void namesEveryMissingVariableAtOnce() {
    assertThatThrownBy(() -> Config.from(Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e ->
            assertThat(((ConfigException) e).problems())
                .anyMatch(p -> p.startsWith("DATABASE_URL is not set"))
                .anyMatch(p -> p.startsWith("CUSTOMER_DATABASE_URLS is not set"))
                .anyMatch(p -> p.startsWith("REDIS_URL is not set"))
                .anyMatch(p -> p.startsWith("AES_KEY is not set"))
                .anyMatch(p -> p.startsWith("JWT_SECRET is not set")));
  }

  @Test
  void namesEachMalformedVariableWithoutEchoingSecrets() {
    Map<String, String> env = valid();
    env.put("DATABASE_URL", "mysql://u:topsecret@db/x");
    env.put("AES_KEY", "short");
    env.put("JWT_SECRET", "too-short");
    env.put("PORT", "http");
    env.put("INSTANODE_ANON_TTL", "forever");
    env.put("REDIS_URL", "http://x");
    assertThatThrownBy(() -> Config.from(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DATABASE_URL must start with postgres://")
        .hasMessageContaining("AES_KEY")
        .hasMessageContaining("JWT_SECRET must be at least 32 bytes")
        .hasMessageContaining("PORT must be a whole number")
        .hasMessageContaining("INSTANODE_ANON_TTL")
        .hasMessageContaining("REDIS_URL must start with redis://")
        .hasMessageNotContaining("topsecret");
  }

  @Test
  void readmeListsEverySetting() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Setting s : Setting.values()) {
      assertThat(readme).as("README settings table").contains("`" + s.name() + "`");
    }
    for (String worker : dev.instanode.worker.WorkerSettings.environmentVariables()) {
      assertThat(readme).as("README worker settings table").contains("`" + worker + "`");
    }
  }

  @Test
  void everyKindsPoolIsSizedByItsOwnSetting() {
    Map<String, String> env = new HashMap<>(valid());
    int size = 3;
    for (ResourceKind kind : ResourceKinds.all()) {
      if (kind.poolSizeSetting().isPresent()) {
        env.put(Setting.valueOf(kind.poolSizeSetting().get()).name(), String.valueOf(size++));
      }
    }
    Config config = Config.from(env);
    size = 3;
    for (ResourceKind kind : ResourceKinds.all()) {
      // A kind with no pool has none to size.
      assertThat(config.poolSizes())
          .containsEntry(kind.type(), kind.poolSizeSetting().isPresent() ? size++ : 0);
    }
  }
}
