package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
  @Test
  void parsesOperatorForms() {
    assertThat(DurationText.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationText.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationText.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationText.parse("2d")).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void rejectsGarbageZeroAndNegatives() {
    assertThatThrownBy(() -> DurationText.parse("abc")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> DurationText.parse("10")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> DurationText.parse("-5s")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> DurationText.parse("0s")).hasMessageContaining("greater than zero");
    assertThatThrownBy(() -> DurationText.parse("")).hasMessageContaining("empty");
  }

  @Test
  void formatsShortest() {
    assertThat(DurationText.format(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(DurationText.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
  }
}
