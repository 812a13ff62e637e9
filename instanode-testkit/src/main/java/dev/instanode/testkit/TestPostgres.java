package dev.instanode.testkit;

import dev.instanode.core.PostgresUrl;
import dev.instanode.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.apache.commons.io.FileUtils;

/**
 * One embedded PostgreSQL per test JVM, shared by every test class. Each class takes its own
 * database from {@link #newDatabase(String)}, so classes never see each other's rows.
 */
public final class TestPostgres {
  private static EmbeddedPostgresServer server;

  private TestPostgres() {}

  public static synchronized EmbeddedPostgresServer server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("instanode-test-pg");
        EmbeddedPostgresServer started =
            EmbeddedPostgresServer.start(dir.resolve("data"), 0, false);
        server = started;
        // A test run makes hundreds of databases; leaving the cluster behind fills /tmp.
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      started.close();
                      FileUtils.deleteQuietly(dir.toFile());
                    },
                    "test-postgres-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** The cluster's superuser URL for the {@code postgres} database. */
  public static PostgresUrl adminUrl() {
    return server().superuserUrl("postgres");
  }

  /** Creates a fresh, empty database and returns its superuser URL. */
  public static PostgresUrl newDatabase(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute(adminUrl(), "CREATE DATABASE " + name);
    return server().superuserUrl(name);
  }

  public static void execute(PostgresUrl url, String sql) {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }

  public static Connection connect(PostgresUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}
