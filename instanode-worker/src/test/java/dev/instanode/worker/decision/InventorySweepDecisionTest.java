package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.worker.decision.InventorySweepDecision.Seen;
import dev.instanode.worker.decision.InventorySweepDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InventorySweepDecisionTest {
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofHours(1);
  private static final Optional<Instant> OLD = Optional.of(NOW.minus(Duration.ofHours(2)));

  private static Verdict of(boolean named, boolean pooled, Optional<Instant> createdAt) {
    return InventorySweepDecision.classify(new Seen(named, pooled, createdAt), NOW, GRACE);
  }

  @Test
  void onlyAnOldUnnamedUntrackedItemIsAnOrphan() {
    assertThat(of(false, false, OLD)).isEqualTo(Verdict.ORPHAN);
    assertThat(of(true, false, OLD))
        .as("any row naming it, whatever its status")
        .isEqualTo(Verdict.NAMED);
    assertThat(of(false, true, OLD)).isEqualTo(Verdict.POOLED);
  }

  @Test
  void noAgeOrAYoungOneIsNeverAnOrphan() {
    assertThat(of(false, false, Optional.empty())).isEqualTo(Verdict.AGE_UNKNOWN);
    assertThat(of(false, false, Optional.of(NOW.minus(Duration.ofMinutes(59)))))
        .isEqualTo(Verdict.TOO_YOUNG);
    assertThat(of(false, false, Optional.of(NOW.minus(GRACE)))).isEqualTo(Verdict.ORPHAN);
    assertThat(of(false, false, Optional.of(NOW.plus(Duration.ofMinutes(5)))))
        .as("a clock ahead of ours is young, not old")
        .isEqualTo(Verdict.TOO_YOUNG);
  }
}
