package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KnownCommandsTest {
  private static final Pattern CALLS = Pattern.compile("cmdstat_command:calls=(\\d+)");

  @Test
  void theServerIsAskedOnceInTheFreshWindowAndAgainAfterIt() {
    RedisClient client = RedisClient.create(TestRedis.adminUrl());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      AtomicLong now = new AtomicLong();
      KnownCommands known = new KnownCommands(now::get);

      long before = commandCalls(redis);
      // Redis 6.2 has none of FUNCTION, FCALL, FCALL_RO.
      assertThat(known.of(redis)).isEmpty();
      long afterFirst = commandCalls(redis);
      assertThat(afterFirst - before).isEqualTo(TenantAcl.DENIED_WHERE_PRESENT.size());

      now.addAndGet(KnownCommands.FRESH_FOR.toNanos() - 1);
      known.of(redis);
      assertThat(commandCalls(redis)).isEqualTo(afterFirst);

      now.addAndGet(2);
      known.of(redis);
      assertThat(commandCalls(redis) - afterFirst).isEqualTo(TenantAcl.DENIED_WHERE_PRESENT.size());
    } finally {
      client.shutdown();
    }
  }

  private static long commandCalls(RedisCommands<String, String> redis) {
    Matcher m = CALLS.matcher(redis.info("commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
