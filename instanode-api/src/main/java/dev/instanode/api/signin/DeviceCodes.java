package dev.instanode.api.signin;

import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.TeamId;
import dev.instanode.core.auth.ApiKeys;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Pending CLI sign-ins (RFC 8628), in Redis for 10 minutes: the device code (kept as its SHA-256)
 * the CLI polls with, and the short user code a person types or follows. Every step is one Lua
 * script, so an approval and a poll cannot interleave, and a token is handed out once. Redis
 * unreachable: 503, never a guess.
 */
public final class DeviceCodes {
  public static final Duration LIFETIME = Duration.ofMinutes(10);
  public static final int INTERVAL_SECONDS = 5;
  // No vowels (no words), no look-alikes (0/O, 1/I/L).
  private static final String ALPHABET = "BCDFGHJKMNPQRSTVWXZ";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String DEVICE = "cli:device:";
  private static final String USER = "cli:user:";

  private static final String CREATE =
      "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end"
          + " redis.call('HSET', KEYS[1], 'user_code', ARGV[1], 'status', 'pending',"
          + " 'interval', ARGV[2], 'last_poll', '0', 'device_name', ARGV[5])"
          + " redis.call('EXPIRE', KEYS[1], ARGV[3])"
          + " redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3])"
          + " return 1";
  private static final String DECIDE =
      "local device = redis.call('GET', KEYS[1])"
          + " if not device then return 0 end"
          + " local key = ARGV[1] .. device"
          + " if redis.call('HGET', key, 'status') ~= 'pending' then return 0 end"
          + " redis.call('HSET', key, 'status', ARGV[2], 'team', ARGV[3], 'user', ARGV[4])"
          + " return 1";
  private static final String POLL =
      "local s = redis.call('HMGET', KEYS[1], 'status', 'interval', 'last_poll', 'team', 'user',"
          + " 'user_code', 'device_name')"
          + " if not s[1] then return {'expired'} end"
          + " if s[1] == 'approved' then"
          + "   redis.call('DEL', KEYS[1], ARGV[2] .. s[6]) return {'approved', s[4], s[5], s[7] or ''} end"
          + " if s[1] == 'denied' then"
          + "   redis.call('DEL', KEYS[1], ARGV[2] .. s[6]) return {'denied'} end"
          + " local now = tonumber(ARGV[1]) local interval = tonumber(s[2])"
          + " if now - tonumber(s[3]) < interval * 1000 then"
          + "   interval = interval + 5"
          + "   redis.call('HSET', KEYS[1], 'interval', interval, 'last_poll', now)"
          + "   return {'slow_down', tostring(interval)} end"
          + " redis.call('HSET', KEYS[1], 'last_poll', now)"
          + " return {'pending', tostring(interval)}";

  private final PlatformRedis redis;
  private final Clock clock;

  public DeviceCodes(PlatformRedis redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** A new pending sign-in. */
  public record Started(String deviceCode, String userCode) {}

  /** The device's name as it was started with, for the page that approves it; empty if none. */
  private static final String NAME_OF =
      "local device = redis.call('GET', KEYS[1])"
          + " if not device then return '' end"
          + " return redis.call('HGET', ARGV[1] .. device, 'device_name') or ''";

  /**
   * @param deviceName what the CLI calls its device (shown on the approval page and naming the
   *     key); empty when it said nothing
   */
  public Started start(Optional<String> deviceName) {
    for (int attempt = 0; attempt < 5; attempt++) {
      String device = deviceCode();
      String user = userCode();
      Long made =
          call(r ->
              r.<Long>eval(
                  CREATE,
                  ScriptOutputType.INTEGER,
                  new String[] {DEVICE + ApiKeys.hash(device), USER + user},
                  user,
                  Integer.toString(INTERVAL_SECONDS),
                  Long.toString(LIFETIME.toSeconds()),
                  ApiKeys.hash(device),
                  deviceName.orElse("")));
      if (made != null && made == 1) {
        return new Started(device, user);
      }
    }
    throw new IllegalStateException("no free user code after 5 attempts");
  }

  /** The code as typed: upper-cased, the dash optional; empty when it cannot be one. */
  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String letters = raw.trim().toUpperCase(Locale.ROOT).replace("-", "");
    if (letters.length() != 8 || !letters.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(letters.substring(0, 4) + "-" + letters.substring(4));
  }

  /** Approves a pending sign-in for this member; false when there is none by that code. */
  public boolean approve(String userCode, TeamId team, UUID user) {
    return decide(userCode, "approved", team.value().toString(), user.toString());
  }

  public boolean deny(String userCode) {
    return decide(userCode, "denied", "", "");
  }

  private boolean decide(String userCode, String status, String team, String user) {
    Long done =
        call(r ->
            r.<Long>eval(
                DECIDE,
                ScriptOutputType.INTEGER,
                new String[] {USER + userCode},
                DEVICE,
                status,
                team,
                user));
    return done != null && done == 1;
  }

  /** What a poll found. */
  public sealed interface Poll {
    record Pending(int interval) implements Poll {}

    record SlowDown(int interval) implements Poll {}

    record Expired() implements Poll {}

    record Denied() implements Poll {}

    record Approved(TeamId team, UUID user, Optional<String> deviceName) implements Poll {}
  }

  /** The name the pending sign-in's device gave, by its user code; empty when none or no such. */
  public Optional<String> deviceName(String userCode) {
    String name =
        call(r ->
            r.<String>eval(
                NAME_OF, ScriptOutputType.VALUE, new String[] {USER + userCode}, DEVICE));
    return Optional.ofNullable(name).filter(n -> !n.isEmpty());
  }

  /** One poll; an approval is handed out once (the entry goes with it). */
  public Poll poll(String deviceCode) {
    List<Object> out =
        call(r ->
            r.<List<Object>>eval(
                POLL,
                ScriptOutputType.MULTI,
                new String[] {DEVICE + ApiKeys.hash(deviceCode)},
                Long.toString(clock.millis()),
                USER));
    String state = String.valueOf(out.getFirst());
    return switch (state) {
      case "approved" ->
          new Poll.Approved(
              new TeamId(UUID.fromString(String.valueOf(out.get(1)))),
              UUID.fromString(String.valueOf(out.get(2))),
              Optional.of(String.valueOf(out.get(3))).filter(n -> !n.isEmpty()));
      case "denied" -> new Poll.Denied();
      case "slow_down" -> new Poll.SlowDown(Integer.parseInt(String.valueOf(out.get(1))));
      case "pending" -> new Poll.Pending(Integer.parseInt(String.valueOf(out.get(1))));
      default -> new Poll.Expired();
    };
  }

  private <T> T call(Function<RedisCommands<String, String>, T> work) {
    try {
      return redis.required("device_flow", work);
    } catch (PlatformRedis.Unavailable e) {
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE, "CLI sign-in is unavailable right now; retry shortly.");
    }
  }

  private static String deviceCode() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private static String userCode() {
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == 4) {
        code.append('-');
      }
      code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return code.toString();
  }
}
