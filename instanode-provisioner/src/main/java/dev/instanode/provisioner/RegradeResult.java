package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * {@code applied=false} with a skip reason is not an error by itself; whether a given reason is
 * acceptable is the caller's decision (an unexpected skip must retry, never count as done).
 */
public record RegradeResult(boolean applied, long appliedConnLimit, Optional<String> skipReason) {
  public static final String ALREADY_CORRECT = "already correct";
  public static final String UNSUPPORTED_TYPE = "unsupported resource type for regrade";

  public RegradeResult {
    requireNonNull(skipReason, "skipReason is null");
    if (applied == skipReason.isPresent()) {
      throw new IllegalArgumentException("a regrade is either applied or skipped with a reason");
    }
  }

  public static RegradeResult applied(long limit) {
    return new RegradeResult(true, limit, Optional.empty());
  }

  public static RegradeResult skipped(long limit, String reason) {
    return new RegradeResult(false, limit, Optional.of(reason));
  }
}
