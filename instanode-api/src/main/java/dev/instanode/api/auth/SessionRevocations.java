package dev.instanode.api.auth;

import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.lettuce.core.SetArgs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Sessions ended before their expiry, by {@code jti}, in Redis until the token would have expired
 * anyway. Read on every request with a session and fail closed: when Redis cannot say, the session
 * is refused (503), never assumed live.
 */
public final class SessionRevocations {
  private static final String PREFIX = "revoked_jti:";

  private final PlatformRedis redis;
  private final Clock clock;

  public SessionRevocations(PlatformRedis redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  public boolean isRevoked(String jti) {
    try {
      return redis.required("session_revocation", r -> r.exists(PREFIX + jti)) > 0;
    } catch (PlatformRedis.Unavailable e) {
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE,
          "Sessions cannot be checked right now; retry shortly, or use an API key.");
    }
  }

  /**
   * Revokes it for the rest of its life; throws rather than report a logout that did not happen.
   */
  public void revoke(String jti, Instant expiresAt) {
    long seconds = Math.max(1, Duration.between(clock.instant(), expiresAt).toSeconds() + 1);
    try {
      redis.required(
          "session_revocation", r -> r.set(PREFIX + jti, "1", SetArgs.Builder.ex(seconds)));
    } catch (PlatformRedis.Unavailable e) {
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE, "The session could not be ended right now; retry.");
    }
  }
}
