package dev.instanode.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.instanode.core.PostgresUrl;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.postgres.PostgresPlugin;

/** The platform database: one connection pool, one Jdbi, one set of migrations. */
public final class PlatformDatabase implements AutoCloseable {
  private static final String MIGRATIONS = "classpath:db/platform";

  private final PostgresUrl url;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private PlatformDatabase(PostgresUrl url, HikariDataSource dataSource) {
    this.url = url;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    // A failed statement's message names the statement, never its bound values (hashes, secrets).
    jdbi.getConfig(StatementExceptions.class)
        .setMessageRendering(e ->
            e.getShortMessage()
                + " [statement:\""
                + (e.getStatementContext() == null ? "" : e.getStatementContext().getRawSql())
                + "\"]");
  }

  public static PlatformDatabase connect(PostgresUrl url, int maxPoolSize) {
    return connect(url, maxPoolSize, Duration.ofSeconds(5));
  }

  /** {@code checkoutTimeout}: how long a caller waits for a free connection before failing. */
  public static PlatformDatabase connect(
      PostgresUrl url, int maxPoolSize, Duration checkoutTimeout) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("platform");
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.user());
    config.setPassword(url.password());
    config.setMaximumPoolSize(maxPoolSize);
    // Server error details quote values (a unique key's hash, a password); messages keep the
    // error and constraint names, which is what the code and an operator need.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    config.setMinimumIdle(Math.min(2, maxPoolSize));
    config.setConnectionTimeout(checkoutTimeout.toMillis());
    // Fail fast at boot rather than on the first request.
    config.setInitializationFailTimeout(10_000);
    return new PlatformDatabase(url, new HikariDataSource(config));
  }

  /** Applies every pending migration; returns the schema version afterwards. */
  public String migrate() {
    MigrateResult result = flyway().migrate();
    return result.targetSchemaVersion != null ? result.targetSchemaVersion : currentVersion();
  }

  /** Migrations in the build that this database has not applied yet. */
  public int pendingMigrations() {
    return flyway().info().pending().length;
  }

  public String currentVersion() {
    var current = flyway().info().current();
    return current == null ? "0" : current.getVersion().getVersion();
  }

  // Flyway opens its own connections (it holds one for its lock and works on another), so a
  // migration never competes with requests for the pool, however small the pool is.
  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations(MIGRATIONS)
        .load();
  }

  /**
   * This installation's id, made once by the migrations: the label value that marks what it made on
   * a cluster, so its sweeps never act on another installation's namespaces.
   */
  public String installationId() {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT id::text FROM installation").mapTo(String.class).one());
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Throws when the database does not answer (or no pooled connection is free in time). */
  public void ping() {
    jdbi.useHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
