package dev.instanode.provisioner.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A plain Lettuce client for tests: connects the way a customer's application would, with the URL
 * the backend returned, and sends arbitrary commands. Close it to close every connection it made.
 */
final class RedisProbe implements AutoCloseable {
  private final RedisClient client = RedisClient.create();
  private final List<StatefulRedisConnection<String, String>> open = new ArrayList<>();

  RedisProbe() {
    // A connection the server closes stays closed, so tests can observe a kill.
    client.setOptions(ClientOptions.builder().autoReconnect(false).build());
  }

  StatefulRedisConnection<String, String> connect(String url) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(5));
    StatefulRedisConnection<String, String> connection = client.connect(uri);
    synchronized (open) {
      open.add(connection);
    }
    return connection;
  }

  /** Sends {@code commandLine} (space-separated words); the reply comes back as a list. */
  static Object run(RedisCommands<String, String> redis, String commandLine) {
    List<String> words = Arrays.asList(commandLine.split(" "));
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
    words.subList(1, words.size()).forEach(args::add);
    return redis.dispatch(
        new Raw(words.getFirst()), new NestedMultiOutput<>(StringCodec.UTF8), args);
  }

  /** The error reply {@code commandLine} gets; fails the test if it succeeds. */
  static String errorOf(RedisCommands<String, String> redis, String commandLine) {
    try {
      Object reply = run(redis, commandLine);
      throw new AssertionError("expected an error from " + commandLine + ", got " + reply);
    } catch (RedisCommandExecutionException e) {
      return e.getMessage();
    }
  }

  /** Counts keys matching {@code pattern} with SCAN (the admin may not run KEYS either). */
  static long countKeys(RedisCommands<String, String> redis, String pattern) {
    // SCAN may return a key twice while the table rehashes; count each once.
    Set<String> keys = new HashSet<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
      keys.addAll(page.getKeys());
      cursor = page;
    } while (!cursor.isFinished());
    return keys.size();
  }

  @Override
  public void close() {
    synchronized (open) {
      open.forEach(StatefulRedisConnection::close);
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  private record Raw(String name) implements ProtocolKeyword {
    @Override
    public byte[] getBytes() {
      return name.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
