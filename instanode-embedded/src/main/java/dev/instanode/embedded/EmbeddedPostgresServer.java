package dev.instanode.embedded;

import dev.instanode.core.PostgresUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL server run from the binaries on the classpath. The superuser {@code postgres} is
 * trusted on loopback only; every other role must present its password (SCRAM), which is what makes
 * a tenant's credentials mean something on the embedded default.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  static final String SUPERUSER = "postgres";

  private static final String PG_HBA =
      """
      # Written by instanode. The superuser is trusted on loopback; tenants need their password.
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * @param dataDir where the cluster lives; an existing cluster is reused, so data survives restart
   * @param port a fixed port, or 0 to pick a free one
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    return start(dataDir, port, true);
  }

  /**
   * @param durable fsync on (dev data must survive a crash); tests pass false, since CREATE and
   *     DROP DATABASE each force a checkpoint and that is most of their cost
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) {
    try {
      // PostgreSQL makes its own files 0600 and insists on a 0700 data directory.
      OwnerOnly.directory(dataDir);
      StaleProcess.stopIfRunning(dataDir.resolve("postmaster.pid"), "postgres");
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(30))
              .setDataDirectoryCustomizer(EmbeddedPostgresServer::writeHba)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "300")
              .setServerConfig("password_encryption", "scram-sha-256")
              .setServerConfig("fsync", durable ? "on" : "off");
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedPostgresServer(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
    }
  }

  private static void writeHba(File dataDir) {
    try {
      Files.writeString(dataDir.toPath().resolve("pg_hba.conf"), PG_HBA);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops a server a killed JVM left running on {@code dataDir}, so its port is free again. */
  public static void stopStale(Path dataDir) {
    StaleProcess.stopIfRunning(dataDir.resolve("postmaster.pid"), "postgres");
  }

  public int port() {
    return postgres.getPort();
  }

  /** A superuser URL for {@code database}; the embedded superuser has no password. */
  public PostgresUrl superuserUrl(String database) {
    return new PostgresUrl("127.0.0.1", port(), database, SUPERUSER, "");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
