package dev.instanode.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server from the binary bundled with embedded-redis. The default user needs the admin
 * password, and ACL users live in an ACL file under the data directory, so tenants' users survive a
 * restart as their keys do (append-only file).
 *
 * <p>It holds tenants' caches, so it runs bounded: {@value #MAXMEMORY} with {@code noeviction}.
 * Full, it refuses writes and keeps serving reads; it never swaps the host, and one tenant's writes
 * never evict another's keys.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  static final String MAXMEMORY = "256mb";

  private final RedisServer server;
  private final int port;
  private final String adminPassword;

  private EmbeddedRedisServer(RedisServer server, int port, String adminPassword) {
    this.server = server;
    this.port = port;
    this.adminPassword = adminPassword;
  }

  /**
   * @param port a fixed port, or 0 to pick a free one
   * @param adminPassword the default user's password; written to the ACL file on first start
   */
  public static EmbeddedRedisServer start(Path dataDir, int port, String adminPassword) {
    try {
      OwnerOnly.directory(dataDir);
      Path aclFile = dataDir.resolve("users.acl");
      Path pidFile = dataDir.resolve("redis.pid");
      StaleProcess.stopIfRunning(pidFile, "redis");
      if (!Files.exists(aclFile)) {
        OwnerOnly.writeNew(aclFile, "user default on >" + adminPassword + " ~* &* +@all\n");
      }
      OwnerOnly.filesIn(dataDir);
      int chosen = port > 0 ? port : freePort();
      RedisServer server =
          RedisServer.newRedisServer()
              .executableProvider(ownerOnlyFiles(dataDir))
              .bind("127.0.0.1")
              .port(chosen)
              .setting("dir " + dataDir.toAbsolutePath())
              .setting("appendonly yes")
              .setting("aclfile " + aclFile.toAbsolutePath())
              .setting("protected-mode yes")
              .setting("maxmemory " + MAXMEMORY)
              .setting("maxmemory-policy noeviction")
              .setting("pidfile " + pidFile.toAbsolutePath())
              .onShutdownForceStop(true)
              .build();
      server.start();
      return new EmbeddedRedisServer(server, chosen, adminPassword);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start in " + dataDir, e);
    }
  }

  /**
   * The bundled redis-server, started through a wrapper that sets umask 077: Redis creates its ACL
   * file (unsalted SHA-256 of every password) and AOF with the process umask, 0644 by default.
   */
  private static ExecutableProvider ownerOnlyFiles(Path dataDir) {
    ExecutableProvider bundled = ExecutableProvider.newJarResourceProvider();
    return () -> {
      String binary = bundled.get().getAbsolutePath();
      if (binary.contains("'")) {
        throw new IOException("cannot quote the redis-server path " + binary);
      }
      Path wrapper = dataDir.resolve("redis-server-owner-only");
      Files.deleteIfExists(wrapper);
      Files.createFile(
          wrapper,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.writeString(wrapper, "#!/bin/sh\numask 077\nexec '" + binary + "' \"$@\"\n");
      return wrapper.toFile();
    };
  }

  // embedded-redis cannot bind port 0; a small race with another process remains.
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Stops a server a killed JVM left running on {@code dataDir}, so its port is free again. */
  public static void stopStale(Path dataDir) {
    StaleProcess.stopIfRunning(dataDir.resolve("redis.pid"), "redis");
  }

  public int port() {
    return port;
  }

  /** The admin URL: {@code redis://default:<password>@127.0.0.1:<port>/0}. */
  public String adminUrl() {
    return "redis://default:" + adminPassword + "@127.0.0.1:" + port + "/0";
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
