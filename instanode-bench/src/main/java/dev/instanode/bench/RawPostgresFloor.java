package dev.instanode.bench;

import dev.instanode.core.PostgresUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * {@code CREATE ROLE … CONNECTION LIMIT 2} + {@code CREATE DATABASE … OWNER} over JDBC: what any
 * live database provision pays, with no api in between. Names start with {@code db_}/{@code usr_},
 * so the run's cleanup drops them with everything else.
 */
record RawPostgresFloor(PostgresUrl admin) implements Target {
  @Override
  public String name() {
    return "raw CREATE ROLE + DATABASE";
  }

  @Override
  public double[] provisionOnce() throws Exception {
    String t = "floor_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement s = c.createStatement()) {
      long t0 = System.nanoTime();
      s.execute("CREATE ROLE usr_" + t + " LOGIN PASSWORD 'x' CONNECTION LIMIT 2");
      s.execute("CREATE DATABASE db_" + t + " OWNER usr_" + t);
      double ms = (System.nanoTime() - t0) / 1e6;
      return Stats.sample(ms, Double.NaN);
    }
  }
}
