package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.PropagationKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Seed 004's retry rules. Every failure costs an attempt, and that includes an unexpected skip and
 * a kind this build has no handler for. After {@link #BACKOFF}'s ten attempts the row is
 * dead-lettered. Nothing but a handler's {@link HandlerOutcome.Done} for a known kind marks a row
 * applied.
 */
public final class PropagationPolicy {
  /** 1m, 5m, 15m, 30m, 1h, 2h, 4h, 8h, 16h, 24h; at most 10 attempts. */
  public static final Backoff BACKOFF =
      Backoff.of(
              Duration.ofMinutes(1),
              Duration.ofMinutes(5),
              Duration.ofMinutes(15),
              Duration.ofMinutes(30),
              Duration.ofHours(1),
              Duration.ofHours(2),
              Duration.ofHours(4),
              Duration.ofHours(8),
              Duration.ofHours(16),
              Duration.ofHours(24))
          .maxAttempts(10);

  public static final String REASON_MAX_ATTEMPTS = "max_attempts";
  public static final String REASON_UNKNOWN_KIND = "unknown_kind";
  public static final String UNKNOWN_KIND_LABEL = "unknown_kind";

  private PropagationPolicy() {}

  /**
   * @param kind empty when the row's kind has no handler in this build
   * @param attemptsBefore the row's {@code attempts} before this attempt
   */
  public static PropagationVerdict decide(
      Optional<PropagationKind> kind, int attemptsBefore, HandlerOutcome outcome, Instant now) {
    requireNonNull(kind, "kind is null");
    requireNonNull(outcome, "outcome is null");
    requireNonNull(now, "now is null");
    if (kind.isPresent() && outcome instanceof HandlerOutcome.Done) {
      return new PropagationVerdict.Applied();
    }
    int attempts = Math.max(0, attemptsBefore) + 1;
    if (BACKOFF.exhausted(attempts)) {
      return kind.isPresent()
          ? new PropagationVerdict.DeadLetter(
              attempts, REASON_MAX_ATTEMPTS, kind.get().wire(), AuditKind.PROPAGATION_DEAD_LETTERED)
          : new PropagationVerdict.DeadLetter(
              attempts,
              REASON_UNKNOWN_KIND,
              UNKNOWN_KIND_LABEL,
              AuditKind.PROPAGATION_UNKNOWN_KIND_DEAD_LETTERED);
    }
    boolean unexpectedSkip =
        outcome instanceof HandlerOutcome.Failed f && f.unexpectedSkip() && kind.isPresent();
    return new PropagationVerdict.Retry(
        attempts,
        now.plus(BACKOFF.delayAfter(attempts)),
        unexpectedSkip ? AuditKind.PROPAGATION_UNEXPECTED_SKIP : AuditKind.PROPAGATION_RETRYING);
  }
}
