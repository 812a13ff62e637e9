package dev.instanode.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The body of every non-2xx response. {@code retry_after_seconds} is always present, null when
 * there is nothing to wait for, so clients can read it without a presence check; {@code
 * upgrade_url} only where a paid plan is the way out.
 */
public record ErrorEnvelope(
    boolean ok,
    String error,
    String message,
    String requestId,
    String agentAction,
    @JsonInclude(JsonInclude.Include.ALWAYS) Integer retryAfterSeconds,
    @JsonInclude(JsonInclude.Include.NON_NULL) String upgradeUrl) {
  /** The envelope of {@code code}: its wire name and agent action, with this message. */
  public static ErrorEnvelope of(
      ErrorCode code,
      String message,
      RequestId requestId,
      OptionalInt retryAfterSeconds,
      Optional<String> upgradeUrl) {
    return new ErrorEnvelope(
        false,
        code.code(),
        message,
        requestId.value(),
        code.agentAction(),
        retryAfterSeconds.isPresent() ? retryAfterSeconds.getAsInt() : null,
        upgradeUrl.orElse(null));
  }
}
