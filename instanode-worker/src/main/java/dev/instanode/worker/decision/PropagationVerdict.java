package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import java.time.Instant;

/** What becomes of a {@code pending_propagations} row after one attempt. */
public sealed interface PropagationVerdict {
  /** Stamp {@code applied_at}; audit {@code propagation.applied}. */
  record Applied() implements PropagationVerdict {}

  /** Count the attempt and wait: {@code next_attempt_at = nextAttemptAt}. */
  record Retry(int attempts, Instant nextAttemptAt, AuditKind audit) implements PropagationVerdict {
    public Retry {
      requireNonNull(nextAttemptAt, "nextAttemptAt is null");
      requireNonNull(audit, "audit is null");
    }
  }

  /**
   * Stamp {@code failed_at}: no more attempts.
   *
   * @param reason metric label: {@code max_attempts} or {@code unknown_kind}
   * @param kindLabel metric label: the registered kind's wire name, or {@code unknown_kind}
   */
  record DeadLetter(int attempts, String reason, String kindLabel, AuditKind audit)
      implements PropagationVerdict {
    public DeadLetter {
      requireNonNull(reason, "reason is null");
      requireNonNull(kindLabel, "kindLabel is null");
      requireNonNull(audit, "audit is null");
    }
  }
}
