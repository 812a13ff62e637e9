package dev.instanode.api.gate;

import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.Limit;
import dev.instanode.core.Plans;
import dev.instanode.core.Tier;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * One counter per fingerprint per UTC day, shared by every service, capped at the anonymous plan's
 * {@code provisions_per_day}. Redis down: the gate lets the request through.
 */
public final class AnonymousGate {
  private static final String INCR_WITH_TTL =
      "local n = redis.call('INCR', KEYS[1]) "
          + "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n";
  private static final String DECR_IF_POSITIVE =
      "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
          + "if n > 0 then return redis.call('DECR', KEYS[1]) end return n";
  private static final long TTL_SECONDS = Duration.ofHours(25).toSeconds();

  private final PlatformRedis redis;
  private final Plans plans;
  private final Clock clock;

  public AnonymousGate(PlatformRedis redis, Plans plans, Clock clock) {
    this.redis = redis;
    this.plans = plans;
    this.clock = clock;
  }

  public sealed interface Decision {}

  /**
   * @param counter the key incremented, to refund on failure; empty when nothing was counted
   */
  public record Admitted(Optional<String> counter) implements Decision {}

  public record OverLimit(long retryAfterSeconds) implements Decision {}

  public Decision admit(Fingerprint fingerprint) {
    long limit = plans.of(Tier.ANONYMOUS).provisionsPerDay();
    if (Limit.isUnlimited(limit)) {
      return new Admitted(Optional.empty());
    }
    String key = key(fingerprint);
    Optional<Long> count =
        redis.tryWith(
            "anonymous_gate",
            r ->
                r.<Long>eval(
                    INCR_WITH_TTL,
                    ScriptOutputType.INTEGER,
                    new String[] {key},
                    String.valueOf(TTL_SECONDS)));
    if (count.isEmpty()) {
      return new Admitted(Optional.empty());
    }
    if (count.get() <= limit) {
      return new Admitted(Optional.of(key));
    }
    return new OverLimit(secondsUntilUtcMidnight());
  }

  /**
   * Gives the slot back when the provision did not happen, so failures cost no quota. It refunds
   * the very counter taken (not today's, if midnight passed) and never creates or underflows one.
   */
  public void refund(Admitted admitted) {
    admitted
        .counter()
        .ifPresent(key ->
            redis.tryWith(
                "anonymous_gate",
                r -> r.<Long>eval(DECR_IF_POSITIVE, ScriptOutputType.INTEGER, new String[] {key})));
  }

  private String key(Fingerprint fingerprint) {
    return "prov:" + fingerprint.value() + ":" + LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  private long secondsUntilUtcMidnight() {
    var now = clock.instant();
    var midnight =
        LocalDate.ofInstant(now, ZoneOffset.UTC)
            .plusDays(1)
            .atStartOfDay()
            .toInstant(ZoneOffset.UTC);
    return Math.max(1, Duration.between(now, midnight).toSeconds());
  }
}
