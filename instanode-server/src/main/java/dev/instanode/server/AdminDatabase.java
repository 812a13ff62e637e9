package dev.instanode.server;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.embedded.EmbeddedPostgresServer;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * The platform database for operator commands: DATABASE_URL when set; else the dev data
 * directory's, reached on its port when {@code instanode dev} is running, or started for the length
 * of the command when it is not.
 */
final class AdminDatabase implements AutoCloseable {
  private final PlatformDatabase db;
  private final AuditLog audit;
  private final Optional<EmbeddedPostgresServer> started;

  private AdminDatabase(PlatformDatabase db, Optional<EmbeddedPostgresServer> started) {
    this.db = db;
    this.audit = new AuditLog(db.jdbi());
    this.started = started;
  }

  static AdminDatabase open(Map<String, String> env, Path dataDir) {
    String url = env.get(Setting.DATABASE_URL.name());
    if (url != null && !url.isBlank()) {
      PlatformDatabase db = PlatformDatabase.connect(parse(url), 2);
      if (db.pendingMigrations() > 0) {
        db.close();
        throw new ConfigException(
            java.util.List.of(
                "the platform database has pending migrations; run `instanode migrate`"));
      }
      return new AdminDatabase(db, Optional.empty());
    }
    if (!Files.isDirectory(dataDir.resolve("postgres"))) {
      throw new IllegalArgumentException(
          "no DATABASE_URL and no dev data in " + dataDir + " (run `instanode dev` once first)");
    }
    int port = DevPorts.postgresPort(dataDir, env, DevMode.DEFAULT_PG_PORT);
    PostgresUrl running =
        new PostgresUrl("127.0.0.1", port, DevMode.PLATFORM_DATABASE, "postgres", "");
    Optional<EmbeddedPostgresServer> started = Optional.empty();
    if (!reachable(running)) {
      started = Optional.of(EmbeddedPostgresServer.start(dataDir.resolve("postgres"), port));
    }
    PlatformDatabase db = PlatformDatabase.connect(running, 2);
    db.migrate();
    return new AdminDatabase(db, started);
  }

  TeamBootstrap bootstrap() {
    return new TeamBootstrap(db.jdbi(), new IdentityRepository(db.jdbi()), audit);
  }

  private static PostgresUrl parse(String url) {
    try {
      return PostgresUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(java.util.List.of("DATABASE_URL " + e.getMessage()));
    }
  }

  private static boolean reachable(PostgresUrl url) {
    try (var c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    audit.close();
    db.close();
    started.ifPresent(EmbeddedPostgresServer::close);
  }
}
