package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.RegradeResult;
import java.util.Locale;
import java.util.OptionalLong;

/** How a job reads a {@link RegradeResult}: landed, acceptably skipped, or a failure. */
public sealed interface RegradeVerdict {
  /** The backend changed the limit. */
  record Applied(long limit) implements RegradeVerdict {}

  /** The backend skipped for an allowed reason; {@code limit} is what is in force. */
  record AcceptableSkip(long limit, String reason) implements RegradeVerdict {}

  /** Not applied for a reason outside the allowlist: a failure that retries (seed 004, F1). */
  record UnexpectedSkip(String reason, SkipReasons.Bucket bucket) implements RegradeVerdict {}

  static RegradeVerdict of(RegradeResult result) {
    requireNonNull(result, "result is null");
    if (result.applied()) {
      return new Applied(result.appliedConnLimit());
    }
    String reason = result.skipReason().orElse("");
    return SkipReasons.isAllowed(reason)
        ? new AcceptableSkip(result.appliedConnLimit(), reason)
        : new UnexpectedSkip(reason, SkipReasons.bucket(reason));
  }

  /** The limit now in force, when the regrade landed or was already correct. */
  default OptionalLong limitInForce() {
    return switch (this) {
      case Applied a -> OptionalLong.of(a.limit());
      case AcceptableSkip s ->
          s.reason().toLowerCase(Locale.ROOT).contains("already correct")
              ? OptionalLong.of(s.limit())
              : OptionalLong.empty();
      case UnexpectedSkip u -> OptionalLong.empty();
    };
  }
}
