package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceNamesTest {
  @Test
  void acceptsDocumentedNames() {
    assertThat(ResourceNames.isValidName("my-app-db")).isTrue();
    assertThat(ResourceNames.isValidName("A b_c-1")).isTrue();
    assertThat(ResourceNames.isValidName("x".repeat(64))).isTrue();
  }

  @Test
  void rejectsBadNames() {
    assertThat(ResourceNames.isValidName("")).isFalse();
    assertThat(ResourceNames.isValidName(" leading-space")).isFalse();
    assertThat(ResourceNames.isValidName("-dash-first")).isFalse();
    assertThat(ResourceNames.isValidName("semi;colon")).isFalse();
    assertThat(ResourceNames.isValidName("quote'd")).isFalse();
    assertThat(ResourceNames.isValidName("x".repeat(65))).isFalse();
    assertThat(ResourceNames.isValidName(null)).isFalse();
  }

  @Test
  void envRules() {
    assertThat(ResourceNames.isValidEnv("development")).isTrue();
    assertThat(ResourceNames.isValidEnv("prod-2")).isTrue();
    assertThat(ResourceNames.isValidEnv("Prod")).isFalse();
    assertThat(ResourceNames.isValidEnv("a".repeat(33))).isFalse();
    assertThat(ResourceNames.isValidEnv("")).isFalse();
  }

  @Test
  void masksTokensAndUrlCredentials() {
    assertThat(Masking.token("0123456789abcdef")).isEqualTo("01234567…");
    assertThat(Masking.scrubUrls("dial postgres://usr_x:secret@h:5432/db failed"))
        .isEqualTo("dial postgres://***@h:5432/db failed");
  }
}
