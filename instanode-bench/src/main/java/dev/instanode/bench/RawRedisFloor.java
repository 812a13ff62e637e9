package dev.instanode.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;

/**
 * {@code ACL SETUSER} + {@code ACL SAVE} on one shared connection: what a durable live cache
 * provision pays at least, with no api and no coalescing of saves. Users are named {@code usr_…},
 * so the run's cleanup deletes them.
 */
final class RawRedisFloor implements Target, AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  RawRedisFloor(String adminUrl) {
    this.client = RedisClient.create(adminUrl);
    this.connection = client.connect();
  }

  @Override
  public String name() {
    return "raw ACL SETUSER + ACL SAVE";
  }

  @Override
  public double[] provisionOnce() {
    RedisCommands<String, String> redis = connection.sync();
    String user = "usr_floor_" + UUID.randomUUID().toString().replace("-", "");
    long t0 = System.nanoTime();
    redis.dispatch(
        io.lettuce.core.protocol.CommandType.ACL,
        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
            .add("SETUSER")
            .add(user)
            .add("on")
            .add(">" + UUID.randomUUID())
            .add("~" + user + ":*")
            .add("+@all"));
    redis.aclSave();
    double ms = (System.nanoTime() - t0) / 1e6;
    return Stats.sample(ms, Double.NaN);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
