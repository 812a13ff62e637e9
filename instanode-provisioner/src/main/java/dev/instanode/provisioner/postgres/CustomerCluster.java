package dev.instanode.provisioner.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.RoleName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * One customer PostgreSQL cluster, reached with a superuser URL. The admin pool is created lazily
 * and does not fail at boot, so a cluster that is down degrades provisioning without stopping the
 * platform.
 *
 * @param publicHost the host customers connect to (may differ from the admin URL's host)
 */
public final class CustomerCluster implements AutoCloseable {
  private final int index;
  private final PostgresUrl admin;
  private final String publicHost;
  private final int publicPort;
  private final HikariDataSource pool;

  public CustomerCluster(int index, PostgresUrl admin, String publicHost, int publicPort) {
    this.index = index;
    this.admin = requireNonNull(admin, "admin is null");
    this.publicHost = requireNonNull(publicHost, "publicHost is null");
    this.publicPort = publicPort;
    HikariConfig config = new HikariConfig();
    config.setPoolName("customer-cluster-" + index);
    config.setJdbcUrl(admin.jdbcUrl());
    config.setUsername(admin.user());
    config.setPassword(admin.password());
    config.setMaximumPoolSize(4);
    // Server error details quote values (a unique key's hash, a password); messages keep the
    // error and constraint names, which is what the code and an operator need.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    config.setMinimumIdle(0);
    config.setConnectionTimeout(3_000);
    config.setInitializationFailTimeout(-1);
    this.pool = new HikariDataSource(config);
  }

  public static CustomerCluster of(int index, PostgresUrl admin) {
    return new CustomerCluster(index, admin, admin.host(), admin.port());
  }

  public int index() {
    return index;
  }

  public Connection connect() throws SQLException {
    return pool.getConnection();
  }

  /**
   * A new superuser connection to {@code database} (not from the pool, which holds connections to
   * the admin database); the caller closes it.
   */
  public Connection connectTo(DatabaseName database) throws SQLException {
    PostgresUrl url = admin.withDatabase(database.value());
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  /** A URL for a customer role on this cluster. */
  public PostgresUrl customerUrl(DatabaseName database, RoleName role, String password) {
    return new PostgresUrl(publicHost, publicPort, database.value(), role.value(), password);
  }

  /** A URL for a binding's login on this cluster: the resource's database, the binding's role. */
  public PostgresUrl customerUrl(DatabaseName database, BindingLogin login, String password) {
    return new PostgresUrl(publicHost, publicPort, database.value(), login.value(), password);
  }

  @Override
  public void close() {
    pool.close();
  }
}
