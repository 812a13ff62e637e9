package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/** A failure that maps to one {@link ErrorCode} and a human sentence. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode code;
  private final transient OptionalInt retryAfterSeconds;
  private final String upgradeUrl;

  public ApiException(ErrorCode code, String message) {
    this(code, message, code.defaultRetryAfterSeconds(), null);
  }

  public ApiException(ErrorCode code, String message, Throwable cause) {
    this(code, message, code.defaultRetryAfterSeconds(), cause);
  }

  public ApiException(
      ErrorCode code, String message, OptionalInt retryAfterSeconds, Throwable cause) {
    this(code, message, retryAfterSeconds, cause, null);
  }

  private ApiException(
      ErrorCode code,
      String message,
      OptionalInt retryAfterSeconds,
      Throwable cause,
      String upgradeUrl) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.retryAfterSeconds = requireNonNull(retryAfterSeconds, "retryAfterSeconds is null");
    this.upgradeUrl = upgradeUrl;
  }

  /** An error whose way out is a paid plan: the envelope carries {@code upgrade_url}. */
  public static ApiException withUpgradeUrl(ErrorCode code, String message, String upgradeUrl) {
    return new ApiException(
        code,
        message,
        code.defaultRetryAfterSeconds(),
        null,
        requireNonNull(upgradeUrl, "upgradeUrl is null"));
  }

  public Optional<String> upgradeUrl() {
    return Optional.ofNullable(upgradeUrl);
  }

  public ErrorCode code() {
    return code;
  }

  public OptionalInt retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
