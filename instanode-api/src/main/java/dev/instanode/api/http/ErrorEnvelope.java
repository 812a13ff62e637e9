package dev.instanode.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;

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
  public ErrorEnvelope(
      boolean ok,
      String error,
      String message,
      String requestId,
      String agentAction,
      Integer retryAfterSeconds) {
    this(ok, error, message, requestId, agentAction, retryAfterSeconds, null);
  }
}
