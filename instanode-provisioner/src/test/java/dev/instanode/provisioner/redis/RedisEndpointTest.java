package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisEndpointTest {
  private static final String ADMIN = "redis://default:s3cret@10.0.0.5:6380/0";

  @Test
  void customerUrlsNameTheAdminHostAndPortByDefault() {
    assertThat(RedisEndpoint.of(ADMIN).customerUrl("usr_t", "abc"))
        .isEqualTo("redis://usr_t:abc@10.0.0.5:6380/0");
  }

  @Test
  void customerUrlsNameThePublicHostWhenOneIsGiven() {
    RedisEndpoint endpoint = RedisEndpoint.of(ADMIN).withPublicHost("redis.instanode.dev");
    assertThat(endpoint.customerUrl("usr_t", "abc"))
        .isEqualTo("redis://usr_t:abc@redis.instanode.dev:6380/0");
    assertThat(endpoint.withPublicHost("::1").customerUrl("usr_t", "abc"))
        .isEqualTo("redis://usr_t:abc@[::1]:6380/0");
  }

  @Test
  void aMissingPortMeansTheRedisDefault() {
    assertThat(RedisEndpoint.of("redis://default:pw@h/0").port()).isEqualTo(6379);
  }

  @Test
  void theAdminPasswordNeverAppearsInToStringOrErrors() {
    assertThat(RedisEndpoint.of(ADMIN).toString()).doesNotContain("s3cret").contains("10.0.0.5");
    assertThatThrownBy(() -> RedisEndpoint.of("redis://default:s3cret@bad host/0"))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("s3cret");
    assertThatThrownBy(() -> RedisEndpoint.of("http://default:s3cret@h/0"))
        .message()
        .doesNotContain("s3cret");
  }
}
