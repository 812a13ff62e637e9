package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Backoff SCHEDULE = PropagationPolicy.BACKOFF;

  @Test
  void propagationScheduleIsTheSeedsTenSteps() {
    assertThat(SCHEDULE.steps())
        .containsExactly(
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(2),
            Duration.ofHours(4),
            Duration.ofHours(8),
            Duration.ofHours(16),
            Duration.ofHours(24));
    assertThat(SCHEDULE.maxAttempts()).isEqualTo(10);
  }

  @Test
  void theNthFailureWaitsTheNthStep() {
    List<Duration> waits = new ArrayList<>();
    for (int failed = 1; failed <= 10; failed++) {
      waits.add(SCHEDULE.delayAfter(failed));
    }
    assertThat(waits).isEqualTo(SCHEDULE.steps());
  }

  @Test
  void pastTheLastStepTheLastStepRepeats() {
    assertThat(SCHEDULE.delayAfter(11)).isEqualTo(Duration.ofHours(24));
    assertThat(SCHEDULE.delayAfter(500)).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void exhaustedExactlyAtTheTenthAttempt() {
    for (int failed = 1; failed < 10; failed++) {
      assertThat(SCHEDULE.exhausted(failed)).as("after %d attempts", failed).isFalse();
    }
    assertThat(SCHEDULE.exhausted(10)).isTrue();
    assertThat(SCHEDULE.exhausted(11)).isTrue();
  }

  @Test
  void onlyNineWaitsAreEverUsedBeforeTheDeadLetter() {
    Duration total = Duration.ZERO;
    for (int failed = 1; !SCHEDULE.exhausted(failed); failed++) {
      total = total.plus(SCHEDULE.delayAfter(failed));
    }
    assertThat(total).isEqualTo(Duration.ofHours(31).plusMinutes(51));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(Backoff::of).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.of(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.of(Duration.ofMinutes(1)).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SCHEDULE.delayAfter(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
