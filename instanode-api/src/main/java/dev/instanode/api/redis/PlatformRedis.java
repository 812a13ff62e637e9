package dev.instanode.api.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform Redis, for conveniences only (rate limits, idempotency). Every use fails open: when
 * Redis is down the caller gets {@link Optional#empty()}, the event is counted, and the request
 * goes on. Connecting is lazy and retried, so the api starts and serves without Redis.
 */
public final class PlatformRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlatformRedis.class);
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private final RedisClient client;
  private final MeterRegistry meters;
  private static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(5);

  private volatile StatefulRedisConnection<String, String> connection;
  private long retryConnectAfterNanos = Long.MIN_VALUE;

  public PlatformRedis(URI url, MeterRegistry meters) {
    RedisURI uri = RedisURI.create(url.toString());
    uri.setTimeout(TIMEOUT);
    this.client = RedisClient.create(uri);
    this.client.setOptions(
        ClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    this.meters = meters;
  }

  /**
   * INCR of a counter that lives two minutes, in one round trip and one atomic step, so the key
   * always gets its expiry (an INCR then a failed EXPIRE would keep it for good). Empty when Redis
   * failed: a convenience limit fails open.
   */
  public Optional<Long> countOnce(String subsystem, String key) {
    return count(subsystem, key, Duration.ofMinutes(2));
  }

  /** {@link #countOnce} for a counter that lives {@code window} from its first count. */
  public Optional<Long> count(String subsystem, String key, Duration window) {
    return tryWith(
        subsystem,
        r ->
            r.<Long>eval(
                COUNT,
                ScriptOutputType.INTEGER,
                new String[] {key},
                Long.toString(Math.max(1, window.toSeconds()))));
  }

  private static final String COUNT =
      "local n = redis.call('INCR', KEYS[1])"
          + " if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end"
          + " return n";

  /** Redis could not answer a question that must not be guessed. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String subsystem, RuntimeException cause) {
      super("redis unavailable for " + subsystem, cause);
    }
  }

  /**
   * Runs {@code work} against Redis where an answer is required (a security check that fails
   * closed): throws {@link Unavailable} instead of guessing, counted in {@code
   * instant_fail_closed_events_total{subsystem}}.
   */
  public <T> T required(String subsystem, Function<RedisCommands<String, String>, T> work) {
    try {
      return work.apply(connection().sync());
    } catch (RuntimeException e) {
      Counter.builder("instant_fail_closed_events_total")
          .description("Requests refused because a dependency a security check needs failed")
          .tag("subsystem", subsystem)
          .register(meters)
          .increment();
      LOG.warn("redis.fail_closed subsystem={} error={}", subsystem, e.toString());
      throw new Unavailable(subsystem, e);
    }
  }

  /**
   * Runs {@code work} against Redis; empty when Redis is unreachable or the command failed.
   *
   * @param subsystem metric label naming who failed open (bounded: a fixed set of call sites)
   */
  public <T> Optional<T> tryWith(
      String subsystem, Function<RedisCommands<String, String>, T> work) {
    try {
      return Optional.ofNullable(work.apply(connection().sync()));
    } catch (RuntimeException e) {
      String reason = e.getClass().getSimpleName().contains("Timeout") ? "timeout" : "unavailable";
      Counter.builder("instant_fail_open_events_total")
          .description("Requests let through because a convenience dependency failed")
          .tag("subsystem", subsystem)
          .tag("reason", reason)
          .register(meters)
          .increment();
      LOG.warn("redis.fail_open subsystem={} reason={} error={}", subsystem, reason, e.toString());
      return Optional.empty();
    }
  }

  public boolean ping() {
    return "PONG".equals(connection().sync().ping());
  }

  private StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null || !c.isOpen()) {
      synchronized (this) {
        c = connection;
        if (c == null || !c.isOpen()) {
          // After a failed connect, fail fast for a while instead of making every request
          // wait out its own connect timeout against a Redis that is down.
          if (System.nanoTime() < retryConnectAfterNanos) {
            throw new IllegalStateException("redis unavailable (backing off)");
          }
          try {
            c = client.connect();
          } catch (RuntimeException e) {
            retryConnectAfterNanos = System.nanoTime() + RECONNECT_BACKOFF.toNanos();
            throw e;
          }
          c.setTimeout(TIMEOUT);
          connection = c;
        }
      }
    }
    return c;
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
