package dev.instanode.provisioner.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.instanode.core.PostgresUrl;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The provisioner's own tables, in schema {@code provisioner} with their own migration history, so
 * the provisioner can live in another database than the platform without sharing a schema.
 */
public final class ProvisionerDatabase implements AutoCloseable {
  public static final String SCHEMA = "provisioner";

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private ProvisionerDatabase(HikariDataSource dataSource) {
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

  public static ProvisionerDatabase connect(PostgresUrl url, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("provisioner");
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.user());
    config.setPassword(url.password());
    config.setMaximumPoolSize(maxPoolSize);
    // Server error details quote values (a unique key's hash, a password); messages keep the
    // error and constraint names, which is what the code and an operator need.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.setInitializationFailTimeout(10_000);
    config.setSchema(SCHEMA);
    return new ProvisionerDatabase(new HikariDataSource(config));
  }

  public void migrate() {
    flyway().migrate();
  }

  public int pendingMigrations() {
    return flyway().info().pending().length;
  }

  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(dataSource)
        .schemas(SCHEMA)
        .defaultSchema(SCHEMA)
        .createSchemas(true)
        .locations("classpath:db/provisioner")
        .load();
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
