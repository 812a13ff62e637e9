package dev.instanode.provisioner.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** Statements the role-changing classes share: a session end, and all-or-nothing work. */
final class RoleSql {
  private RoleSql() {}

  /** Work on one statement of a transaction. */
  @FunctionalInterface
  interface Work {
    void run(Statement s) throws SQLException;
  }

  /** Ends every session of {@code role} but the caller's own. */
  static void terminateSessions(Connection c, String role) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE usename = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, role);
      ps.executeQuery().close();
    }
  }

  /** The whole of {@code work} or nothing; the connection's autocommit is as it was after. */
  static void inTransaction(Connection c, Work work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      work.run(s);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
