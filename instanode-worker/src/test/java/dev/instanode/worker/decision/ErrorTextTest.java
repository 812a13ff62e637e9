package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorTextTest {
  @Test
  void scrubsCredentialsFromEveryUrl() {
    String stored =
        ErrorText.forStorage(
            "connect postgres://usr_abc:hunter2@db:5432/db_abc failed; also"
                + " redis://default:s3cret@cache:6379/0");
    assertThat(stored)
        .doesNotContain("hunter2")
        .doesNotContain("s3cret")
        .doesNotContain("usr_abc:");
    assertThat(stored).contains("postgres://***@db:5432/db_abc").contains("redis://***@cache");
  }

  @Test
  void capsAtAThousandCharactersEndingInAnEllipsis() {
    String stored = ErrorText.forStorage("x".repeat(5000));
    assertThat(stored).hasSize(1000).endsWith("...");
    assertThat(ErrorText.forStorage("y".repeat(1000))).hasSize(1000).doesNotEndWith("...");
  }

  @Test
  void scrubsBeforeCuttingSoACutNeverExposesAPassword() {
    String raw = "z".repeat(980) + " postgres://u:topsecretpassword@h/d";
    assertThat(ErrorText.forStorage(raw))
        .doesNotContain("topsecret")
        .hasSizeLessThanOrEqualTo(1000);
  }

  @Test
  void neverSplitsASurrogatePair() {
    String raw = "a".repeat(996) + "\uD83D\uDE00" + "b".repeat(10);
    String stored = ErrorText.forStorage(raw);
    assertThat(stored).hasSizeLessThanOrEqualTo(1000).endsWith("...");
    assertThat(Character.isHighSurrogate(stored.charAt(stored.length() - 4))).isFalse();
  }

  @Test
  void nullBecomesEmpty() {
    assertThat(ErrorText.forStorage(null)).isEmpty();
  }
}
