package dev.instanode.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A {@code nats-server} from the machine (Debian's package puts it in /usr/sbin) run on loopback
 * with its config under a directory: the main file sets the port and pid file and includes {@code
 * auth.conf}, which the provisioner rewrites and reloads as queues come and go. JetStream is off.
 */
public final class EmbeddedNatsServer implements AutoCloseable {
  public static final String AUTH_FILE = "auth.conf";
  public static final String PID_FILE = "nats.pid";
  private static final List<Path> SEARCHED =
      List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/usr/local/bin"));

  private final Process process;
  private final int port;
  private final Path dir;

  private EmbeddedNatsServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** {@code nats-server} on the PATH or where Debian installs it; empty when not installed. */
  public static Optional<Path> binary() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(entry, "nats-server");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return SEARCHED.stream()
        .map(d -> d.resolve("nats-server"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * An authorization that lets nobody in (one user with a password nobody keeps, allowed nothing):
   * what the server starts with until the provisioner writes its queues. An empty users list would
   * mean no authorization at all.
   */
  public static String lockedAuthorization() {
    byte[] secret = new byte[24];
    new java.security.SecureRandom().nextBytes(secret);
    return "authorization {\n  users = [\n    {user: \"instanode_locked\", password: \""
        + java.util.HexFormat.of().formatHex(secret)
        + "\", permissions: {publish: {deny: [\">\"]}, subscribe: {deny: [\">\"]}}}\n  ]\n}\n";
  }

  /**
   * @param initialAuth the {@code authorization} block to start with (the provisioner rewrites it)
   * @param port a fixed port, or 0 to pick a free one
   */
  public static EmbeddedNatsServer start(Path binary, Path dir, int port, String initialAuth) {
    try {
      OwnerOnly.directory(dir);
      StaleProcess.stopIfRunning(dir.resolve(PID_FILE), "nats-server");
      int chosen = port > 0 ? port : freePort();
      Path auth = dir.resolve(AUTH_FILE);
      if (!Files.exists(auth)) {
        OwnerOnly.writeNew(auth, initialAuth);
      }
      Path conf = dir.resolve("nats.conf");
      Files.deleteIfExists(conf);
      OwnerOnly.writeNew(
          conf,
          "listen: \"127.0.0.1:"
              + chosen
              + "\"\npid_file: \""
              + dir.resolve(PID_FILE).toAbsolutePath()
              + "\"\nmax_payload: 1048576\ninclude \""
              + AUTH_FILE
              + "\"\n");
      Process process =
          new ProcessBuilder(binary.toString(), "-c", conf.toAbsolutePath().toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("nats.log").toFile())
              .start();
      EmbeddedNatsServer server = new EmbeddedNatsServer(process, chosen, dir);
      server.awaitListening(Duration.ofSeconds(10));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nats-server under " + dir, e);
    }
  }

  private void awaitListening(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "nats-server exited with " + process.exitValue() + "; see " + dir.resolve("nats.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        if (Files.exists(dir.resolve(PID_FILE))) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while nats-server started", e);
      }
    }
    close();
    throw new IllegalStateException("nats-server did not listen on " + port + " within " + within);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public Path authFile() {
    return dir.resolve(AUTH_FILE);
  }

  public Path pidFile() {
    return dir.resolve(PID_FILE);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
