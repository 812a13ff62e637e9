package dev.instanode.provisioner.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * Walks one tenant's keys with {@code SCAN MATCH <pattern>}, never {@code KEYS}: KEYS blocks the
 * whole shared server for the length of the keyspace, SCAN works in small steps.
 */
final class PrefixKeys {
  static final int SCAN_COUNT = 500;

  private final StatefulRedisConnection<String, String> connection;
  private final String pattern;
  private final Duration commandTimeout;

  PrefixKeys(
      StatefulRedisConnection<String, String> connection, String pattern, Duration commandTimeout) {
    this.connection = connection;
    this.pattern = pattern;
    this.commandTimeout = commandTimeout;
  }

  /**
   * UNLINKs every matching key, one SCAN batch at a time (UNLINK frees large values off the main
   * thread). Keys deleted during the walk are fine: SCAN still returns every key that stays.
   *
   * @return how many keys were unlinked
   */
  long unlinkAll() {
    return sumOverBatches(
        keys -> connection.sync().unlink(keys.toArray(String[]::new)),
        Integer.MAX_VALUE,
        () -> false);
  }

  /**
   * UNLINKs matching keys, one SCAN batch at a time, until what they held (MEMORY USAGE, read just
   * before) adds up to {@code bytes}; returns that sum. The last batch may free a little more than
   * asked.
   */
  long unlinkAtLeast(long bytes) {
    long[] freed = {0};
    sumOverBatches(
        keys -> {
          List<RedisFuture<Long>> sizes = new ArrayList<>(keys.size());
          for (String key : keys) {
            sizes.add(connection.async().memoryUsage(key));
          }
          List<String> chosen = new ArrayList<>();
          for (int i = 0; i < keys.size() && freed[0] < bytes; i++) {
            Long size =
                LettuceFutures.awaitOrCancel(
                    sizes.get(i), commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (size != null) {
              freed[0] += size;
              chosen.add(keys.get(i));
            }
          }
          if (!chosen.isEmpty()) {
            connection.sync().unlink(chosen.toArray(String[]::new));
          }
          return chosen.size();
        },
        Integer.MAX_VALUE,
        () -> freed[0] >= bytes);
    return freed[0];
  }

  /**
   * Sums MEMORY USAGE over at most {@code maxKeys} matching keys, pipelined per batch. Any error
   * propagates: a partial sum would under-report and could never be told from a real one.
   */
  long memoryUsage(int maxKeys) {
    // SCAN may return a key twice (while the table rehashes); count each once.
    Set<String> measured = new HashSet<>();
    return sumOverBatches(
        keys -> {
          List<RedisFuture<Long>> sizes = new ArrayList<>(keys.size());
          for (String key : keys) {
            if (measured.add(key)) {
              sizes.add(connection.async().memoryUsage(key));
            }
          }
          long sum = 0;
          for (RedisFuture<Long> size : sizes) {
            Long bytes =
                LettuceFutures.awaitOrCancel(
                    size, commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            // null: the key expired or was deleted between SCAN and MEMORY USAGE.
            sum += bytes == null ? 0 : bytes;
          }
          return sum;
        },
        maxKeys,
        () -> false);
  }

  /**
   * Applies {@code perBatch} to each non-empty SCAN batch, stopping after {@code maxKeys} keys or
   * once {@code done}, and sums what it returns.
   */
  private long sumOverBatches(
      ToLongFunction<List<String>> perBatch, int maxKeys, BooleanSupplier done) {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    ScanCursor cursor = ScanCursor.INITIAL;
    long sum = 0;
    int seen = 0;
    do {
      KeyScanCursor<String> page = connection.sync().scan(cursor, args);
      List<String> keys = page.getKeys();
      if (keys.size() > maxKeys - seen) {
        keys = keys.subList(0, maxKeys - seen);
      }
      if (!keys.isEmpty()) {
        sum += perBatch.applyAsLong(keys);
        seen += keys.size();
      }
      cursor = page;
    } while (!cursor.isFinished() && seen < maxKeys && !done.getAsBoolean());
    return sum;
  }
}
