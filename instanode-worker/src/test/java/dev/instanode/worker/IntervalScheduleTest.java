package dev.instanode.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IntervalScheduleTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Duration EVERY = Duration.ofMinutes(10);

  @Test
  void runOnStartMakesTheFirstExecutionImmediate() {
    assertThat(new IntervalSchedule(EVERY, true).getInitialExecutionTime(NOW)).isEqualTo(NOW);
  }

  @Test
  void otherwiseTheFirstExecutionComesOneIntervalAfterStart() {
    assertThat(new IntervalSchedule(EVERY, false).getInitialExecutionTime(NOW))
        .isEqualTo(NOW.plus(EVERY));
  }

  @Test
  void theNextRunIsOneIntervalAfterTheLastOneEnded() {
    Instant done = NOW.plusSeconds(42);
    assertThat(
            new IntervalSchedule(EVERY, true)
                .getNextExecutionTime(ExecutionComplete.simulatedSuccess(done)))
        .isEqualTo(done.plus(EVERY));
  }
}
