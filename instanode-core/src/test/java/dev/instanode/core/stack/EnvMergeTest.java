package dev.instanode.core.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvMergeTest {
  @Test
  void aValueSetsAndAnEmptyValueDeletes() {
    Map<String, String> patch = new HashMap<>();
    patch.put("A", "1");
    patch.put("B", "");
    EnvMerge.Result r = EnvMerge.apply(Map.of("B", "old", "C", "kept"), patch).orElseThrow();
    assertThat(r.env()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "C", "kept"));
    assertThat(r.keysSet()).isEqualTo(1);
    assertThat(r.keysDeleted()).isEqualTo(1);
  }

  /** Seed 003: deleting a key that is not there is neither a set nor a delete. */
  @Test
  void deletingAnAbsentKeyCountsAsNothing() {
    EnvMerge.Result r = EnvMerge.apply(Map.of("C", "kept"), Map.of("GONE", "")).orElseThrow();
    assertThat(r.keysSet()).isZero();
    assertThat(r.keysDeleted()).isZero();
    assertThat(r.env()).containsExactlyEntriesOf(Map.of("C", "kept"));
  }

  @Test
  void anEnvOverSixtyFourKibibytesIsRefused() {
    assertThat(EnvMerge.apply(Map.of(), Map.of("BIG", "x".repeat(EnvMerge.MAX_BYTES)))).isEmpty();
    assertThat(EnvMerge.apply(Map.of(), Map.of("FITS", "x".repeat(60_000)))).isPresent();
  }

  @Test
  void keysAreUpperCaseIdentifiers() {
    assertThat(EnvMerge.invalidKey(Map.of("DATABASE_URL", "x", "_X1", "y"))).isEmpty();
    for (String bad : new String[] {"lower", "1ABC", "A-B", "A B", ""}) {
      assertThat(EnvMerge.invalidKey(Map.of(bad, "v"))).as(bad).contains(bad);
    }
  }
}
