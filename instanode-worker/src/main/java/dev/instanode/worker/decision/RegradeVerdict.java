package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.SkipReason;
import java.util.OptionalLong;

/** How a job reads a {@link RegradeResult}: landed, acceptably skipped, or a failure. */
public sealed interface RegradeVerdict {
  /** The backend changed the limit. */
  record Applied(long limit) implements RegradeVerdict {}

  /** The backend skipped for an expected reason; {@code limit} is what it reports in force. */
  record AcceptableSkip(long limit, SkipReason code, String reason) implements RegradeVerdict {}

  /** Not applied for an unexpected reason: a failure that retries (seed 004, F1). */
  record UnexpectedSkip(String reason, SkipReason code) implements RegradeVerdict {}

  static RegradeVerdict of(RegradeResult result) {
    requireNonNull(result, "result is null");
    if (result.applied()) {
      return new Applied(result.appliedConnLimit());
    }
    SkipReason code = result.skipCode().orElse(SkipReason.OTHER);
    String reason = result.skipReason().orElse("");
    return code.expected()
        ? new AcceptableSkip(result.appliedConnLimit(), code, reason)
        : new UnexpectedSkip(reason, code);
  }

  /** The limit now in force, when the regrade landed or was already correct. */
  default OptionalLong limitInForce() {
    return switch (this) {
      case Applied a -> OptionalLong.of(a.limit());
      case AcceptableSkip s ->
          s.code() == SkipReason.ALREADY_CORRECT
              ? OptionalLong.of(s.limit())
              : OptionalLong.empty();
      case UnexpectedSkip u -> OptionalLong.empty();
    };
  }
}
