package dev.instanode.provisioner.grpc;

import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.grpc.proto.SkipCode;
import java.util.Optional;

/** {@link SkipReason} on the wire: each code by name, so the two cannot drift apart silently. */
public final class SkipCodes {
  private static final String PREFIX = "SKIP_CODE_";

  private SkipCodes() {}

  public static SkipCode encode(SkipReason reason) {
    return SkipCode.valueOf(PREFIX + reason.name());
  }

  /** Empty for UNSPECIFIED (a provisioner older than the code) or a code newer than this build. */
  public static Optional<SkipReason> decode(SkipCode code) {
    if (code == SkipCode.SKIP_CODE_UNSPECIFIED || code == SkipCode.UNRECOGNIZED) {
      return Optional.empty();
    }
    try {
      return Optional.of(SkipReason.valueOf(code.name().substring(PREFIX.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
