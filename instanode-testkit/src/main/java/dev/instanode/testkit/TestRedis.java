package dev.instanode.testkit;

import dev.instanode.embedded.EmbeddedRedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.io.FileUtils;

/** One embedded Redis per test JVM. The default user needs {@link #ADMIN_PASSWORD}. */
public final class TestRedis {
  public static final String ADMIN_PASSWORD = "test-admin-password";
  private static EmbeddedRedisServer server;

  private TestRedis() {}

  public static synchronized EmbeddedRedisServer server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("instanode-test-redis");
        EmbeddedRedisServer started = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
        server = started;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      started.close();
                      FileUtils.deleteQuietly(dir.toFile());
                    },
                    "test-redis-stop"));
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
