package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * {@code applied=false} with a skip is not an error by itself; whether a skip is acceptable is
 * decided on its {@link SkipReason} code ({@link SkipReason#expected}): an unexpected skip must
 * retry, never count as done. {@code skipReason} is the text beside the code, for people.
 */
public record RegradeResult(
    boolean applied,
    long appliedConnLimit,
    Optional<SkipReason> skipCode,
    Optional<String> skipReason) {
  public static final String ALREADY_CORRECT = "already correct";
  public static final String UNSUPPORTED_TYPE = "unsupported resource type for regrade";

  public RegradeResult {
    requireNonNull(skipCode, "skipCode is null");
    requireNonNull(skipReason, "skipReason is null");
    if (applied == skipCode.isPresent() || skipCode.isPresent() != skipReason.isPresent()) {
      throw new IllegalArgumentException("a regrade is either applied or skipped with a reason");
    }
  }

  public static RegradeResult applied(long limit) {
    return new RegradeResult(true, limit, Optional.empty(), Optional.empty());
  }

  public static RegradeResult skipped(long limit, SkipReason code, String text) {
    return new RegradeResult(false, limit, Optional.of(code), Optional.of(text));
  }

  /** A skip known only by its text (a provisioner older than the code): coded by its wording. */
  public static RegradeResult skipped(long limit, String text) {
    return skipped(limit, SkipReason.fromText(text), text);
  }
}
