package dev.instanode.testkit;

import dev.instanode.embedded.EmbeddedNatsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.io.FileUtils;

/**
 * One nats-server per test JVM, when the machine has one. A local run without it skips the queue
 * tests and says why; in CI ({@code CI} set, where {@code .ci/run} installs it) its absence fails.
 */
public final class TestNats {
  public static final String MISSING =
      "nats-server is not installed (apt-get install nats-server): queue tests skipped";
  private static EmbeddedNatsServer server;

  private TestNats() {}

  /** True when queue tests can run; throws in CI when they cannot. */
  public static boolean available() {
    boolean found = EmbeddedNatsServer.binary().isPresent();
    if (!found && System.getenv("CI") != null) {
      throw new IllegalStateException(MISSING + ", and CI must run them");
    }
    return found;
  }

  public static synchronized EmbeddedNatsServer server() {
    if (server == null) {
      Path binary =
          EmbeddedNatsServer.binary().orElseThrow(() -> new IllegalStateException(MISSING));
      try {
        Path dir = Files.createTempDirectory("instanode-test-nats");
        EmbeddedNatsServer started =
            EmbeddedNatsServer.start(binary, dir, 0, EmbeddedNatsServer.lockedAuthorization());
        server = started;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      started.close();
                      FileUtils.deleteQuietly(dir.toFile());
                    },
                    "test-nats-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** The {@code QUEUE_NATS_*} settings of the test server, when there is one. */
  public static Optional<Map<String, String>> settings() {
    if (!EmbeddedNatsServer.binary().isPresent()) {
      return Optional.empty();
    }
    EmbeddedNatsServer s = server();
    return Optional.of(
        Map.of(
            "QUEUE_NATS_AUTH_FILE", s.authFile().toString(),
            "QUEUE_NATS_PID_FILE", s.pidFile().toString(),
            "QUEUE_NATS_HOST", "127.0.0.1",
            "QUEUE_NATS_PORT", String.valueOf(s.port())));
  }
}
