package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/** A failure that maps to one {@link ErrorCode} and a human sentence. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode code;
  private final transient OptionalInt retryAfterSeconds;

  public ApiException(ErrorCode code, String message) {
    this(code, message, code.defaultRetryAfterSeconds(), null);
  }

  public ApiException(ErrorCode code, String message, Throwable cause) {
    this(code, message, code.defaultRetryAfterSeconds(), cause);
  }

  public ApiException(
      ErrorCode code, String message, OptionalInt retryAfterSeconds, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.retryAfterSeconds = requireNonNull(retryAfterSeconds, "retryAfterSeconds is null");
  }

  public ErrorCode code() {
    return code;
  }

  public OptionalInt retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
