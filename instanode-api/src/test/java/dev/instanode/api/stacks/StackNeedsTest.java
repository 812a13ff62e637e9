package dev.instanode.api.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The in-cluster host rewrite keeps everything of a URL but its host. */
class StackNeedsTest {
  @Test
  void onlyTheHostIsReplaced() {
    assertThat(
            StackNeeds.withHost(
                "postgres://usr_a:p%40ss@127.0.0.1:54329/db_a?sslmode=disable", "pg.internal"))
        .isEqualTo("postgres://usr_a:p%40ss@pg.internal:54329/db_a?sslmode=disable");
    assertThat(StackNeeds.withHost("redis://usr_b:pw@localhost:6379/0", "redis.svc"))
        .isEqualTo("redis://usr_b:pw@redis.svc:6379/0");
    assertThat(StackNeeds.withHost("redis://host-only", "other")).isEqualTo("redis://other");
    assertThat(StackNeeds.withHost("not a url", "other")).isEqualTo("not a url");
  }
}
