package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.AuditKind;
import dev.instanode.core.PropagationKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PropagationPolicyTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Optional<PropagationKind> KNOWN =
      Optional.of(PropagationKind.TIER_ELEVATION);
  private static final Optional<PropagationKind> UNKNOWN = Optional.empty();
  private static final HandlerOutcome DONE = new HandlerOutcome.Done(1);
  private static final HandlerOutcome FAILED = new HandlerOutcome.Failed("boom", false);
  private static final HandlerOutcome SKIPPED = new HandlerOutcome.Failed("skip", true);

  @Test
  void onlyASuccessfulKnownHandlerIsApplied() {
    for (int before = 0; before <= 12; before++) {
      assertThat(PropagationPolicy.decide(KNOWN, before, DONE, NOW))
          .isInstanceOf(PropagationVerdict.Applied.class);
      for (HandlerOutcome outcome : List.of(DONE, FAILED, SKIPPED)) {
        assertThat(PropagationPolicy.decide(UNKNOWN, before, outcome, NOW))
            .as("unknown kind, %d attempts before, %s", before, outcome)
            .isNotInstanceOf(PropagationVerdict.Applied.class);
      }
      for (HandlerOutcome outcome : List.of(FAILED, SKIPPED)) {
        assertThat(PropagationPolicy.decide(KNOWN, before, outcome, NOW))
            .isNotInstanceOf(PropagationVerdict.Applied.class);
      }
    }
  }

  @Test
  void failuresBeforeTheTenthRetryAfterTheScheduledWait() {
    for (int before = 0; before < 9; before++) {
      var verdict = (PropagationVerdict.Retry) PropagationPolicy.decide(KNOWN, before, FAILED, NOW);
      assertThat(verdict.attempts()).isEqualTo(before + 1);
      assertThat(verdict.nextAttemptAt())
          .isEqualTo(NOW.plus(PropagationPolicy.BACKOFF.steps().get(before)));
      assertThat(verdict.audit()).isEqualTo(AuditKind.PROPAGATION_RETRYING);
    }
  }

  @Test
  void theTenthFailureDeadLettersWithMaxAttempts() {
    for (int before = 9; before <= 12; before++) {
      var verdict =
          (PropagationVerdict.DeadLetter) PropagationPolicy.decide(KNOWN, before, FAILED, NOW);
      assertThat(verdict.attempts()).isEqualTo(before + 1);
      assertThat(verdict.reason()).isEqualTo("max_attempts");
      assertThat(verdict.kindLabel()).isEqualTo("tier_elevation");
      assertThat(verdict.audit()).isEqualTo(AuditKind.PROPAGATION_DEAD_LETTERED);
    }
  }

  @Test
  void anUnexpectedSkipRetriesWithItsOwnAuditKindAndDeadLettersLikeAnyFailure() {
    var retry = (PropagationVerdict.Retry) PropagationPolicy.decide(KNOWN, 0, SKIPPED, NOW);
    assertThat(retry.audit()).isEqualTo(AuditKind.PROPAGATION_UNEXPECTED_SKIP);
    assertThat(retry.nextAttemptAt()).isEqualTo(NOW.plusSeconds(60));

    var dead = (PropagationVerdict.DeadLetter) PropagationPolicy.decide(KNOWN, 9, SKIPPED, NOW);
    assertThat(dead.audit()).isEqualTo(AuditKind.PROPAGATION_DEAD_LETTERED);
    assertThat(dead.reason()).isEqualTo("max_attempts");
  }

  @Test
  void anUnknownKindIsBoundedByTheSameAttemptsAndLabelledAsABucket() {
    var first = (PropagationVerdict.Retry) PropagationPolicy.decide(UNKNOWN, 0, FAILED, NOW);
    assertThat(first.attempts()).as("never an immediate dead letter").isEqualTo(1);
    assertThat(first.audit()).isEqualTo(AuditKind.PROPAGATION_RETRYING);

    var dead = (PropagationVerdict.DeadLetter) PropagationPolicy.decide(UNKNOWN, 9, FAILED, NOW);
    assertThat(dead.reason()).isEqualTo("unknown_kind");
    assertThat(dead.kindLabel()).isEqualTo("unknown_kind");
    assertThat(dead.audit()).isEqualTo(AuditKind.PROPAGATION_UNKNOWN_KIND_DEAD_LETTERED);
  }

  @Test
  void aNegativeAttemptCountIsTreatedAsZero() {
    var verdict = (PropagationVerdict.Retry) PropagationPolicy.decide(KNOWN, -3, FAILED, NOW);
    assertThat(verdict.attempts()).isEqualTo(1);
  }
}
