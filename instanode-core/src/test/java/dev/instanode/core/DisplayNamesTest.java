package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DisplayNamesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "ci",
        "Ana's laptop",
        "équipe données",
        "チーム",
        "deploy key 🚀",
        "dev 👩‍💻",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void namesPeopleWriteAreAccepted(String name) {
    assertThat(DisplayNames.problem(name)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "nul\0byte",
        "bell\u0007",
        "line\nbreak",
        "tab\tname",
        "del\u007f",
        "c1\u0085",
        "rtl\u202Eyek-ipa",
        "isolate\u2066x\u2069",
        "mark\u200Fx",
        "zero\u200Bwidth",
        "bom\uFEFF",
        "line\u2028sep",
        "private\uE000use",
        "lone\uD800surrogate",
      })
  void invisibleOrMisleadingNamesAreRefused(String name) {
    assertThat(DisplayNames.problem(name)).isPresent();
  }

  @org.junit.jupiter.api.Test
  void lengthIsCountedInCharactersAndSpacesAroundAreDropped() {
    assertThat(DisplayNames.problem("😀".repeat(64))).isEmpty();
    assertThat(DisplayNames.problem("😀".repeat(65))).hasValueSatisfying(p -> p.contains("64"));
    assertThat(DisplayNames.normalize("  ci key  ")).isEqualTo("ci key");
  }
}
