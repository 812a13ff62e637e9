package dev.instanode.provisioner.redis;

import dev.instanode.provisioner.ProvisionerException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/**
 * The one admin connection to the shared Redis, opened on first use and shared by every caller
 * (Lettuce connections are thread-safe; we never use MULTI on it).
 *
 * <p>Nothing connects at construction, so a Redis that is down does not stop the process: each call
 * that needs the connection tries again and fails fast with {@code UNAVAILABLE}. Once open, Lettuce
 * reconnects by itself; while it is disconnected commands are rejected at once rather than queued,
 * so callers get an error instead of a hang.
 */
final class AdminConnection implements AutoCloseable {
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private boolean closed;

  AdminConnection(RedisEndpoint endpoint) {
    RedisURI uri;
    try {
      uri = RedisURI.create(endpoint.adminUri());
    } catch (RuntimeException e) {
      // Lettuce's message may quote the URL, password included.
      throw new IllegalArgumentException("admin Redis URL is not usable");
    }
    uri.setTimeout(endpoint.commandTimeout());
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .socketOptions(
                SocketOptions.builder().connectTimeout(endpoint.connectTimeout()).build())
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
  }

  /**
   * The shared connection, opened now if it is not yet.
   *
   * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
   */
  synchronized StatefulRedisConnection<String, String> get() {
    if (closed) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "redis backend is closed", null);
    }
    if (connection == null) {
      connection = client.connect();
    }
    return connection;
  }

  @Override
  public synchronized void close() {
    closed = true;
    try {
      if (connection != null) {
        connection.close();
      }
    } finally {
      client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
    }
  }
}
