package dev.instanode.testkit;

import dev.instanode.embedded.EmbeddedRedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** One embedded Redis per test JVM. The default user needs {@link #ADMIN_PASSWORD}. */
public final class TestRedis {
  public static final String ADMIN_PASSWORD = "test-admin-password";
  private static EmbeddedRedisServer server;

  private TestRedis() {}

  public static synchronized EmbeddedRedisServer server() {
    if (server == null) {
      try {
        server =
            EmbeddedRedisServer.start(
                Files.createTempDirectory("instanode-test-redis"), 0, ADMIN_PASSWORD);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "test-redis-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  public static String adminUrl() {
    return server().adminUrl();
  }
}
