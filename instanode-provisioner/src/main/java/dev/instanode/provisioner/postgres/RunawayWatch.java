package dev.instanode.provisioner.postgres;

import dev.instanode.provisioner.RunawayResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends tenant work past its role's bounds on one cluster: statements running longer than the role's
 * statement_timeout are cancelled, transactions idle longer than its
 * idle_in_transaction_session_timeout end their session. A tenant that set either to 0 for its own
 * session is caught here all the same, one check interval (plus {@code grace}) late at most.
 */
final class RunawayWatch {
  private static final String SESSIONS =
      "SELECT a.pid, a.state,"
          + " EXTRACT(EPOCH FROM clock_timestamp() - a.query_start) * 1000 AS running_ms,"
          + " EXTRACT(EPOCH FROM clock_timestamp() - a.state_change) * 1000 AS state_ms,"
          + " s.setconfig FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename"
          + " JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0"
          + " WHERE a.usename LIKE 'usr\\_%' AND a.backend_type = 'client backend'"
          + " AND a.pid <> pg_backend_pid() AND a.state IS NOT NULL";

  private final Duration grace;

  RunawayWatch(Duration grace) {
    this.grace = grace;
  }

  RunawayResult stop(Connection c) throws SQLException {
    record Verdict(int pid, RunawayDecision.Action action) {}
    List<Verdict> verdicts = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(SESSIONS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        RunawayDecision.Session session =
            new RunawayDecision.Session(
                rs.getString("state"),
                Duration.ofMillis(Math.max(0, rs.getLong("running_ms"))),
                Duration.ofMillis(Math.max(0, rs.getLong("state_ms"))),
                TenantRoleSettings.parse(rs.getArray("setconfig")));
        verdicts.add(new Verdict(rs.getInt("pid"), RunawayDecision.classify(session, grace)));
      }
    }
    int cancelled = 0;
    int ended = 0;
    for (Verdict v : verdicts) {
      switch (v.action()) {
        case CANCEL_STATEMENT -> cancelled += signal(c, "pg_cancel_backend", v.pid());
        case END_SESSION -> ended += signal(c, "pg_terminate_backend", v.pid());
        case NONE -> {}
      }
    }
    return new RunawayResult(cancelled, ended);
  }

  private static int signal(Connection c, String function, int pid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1) ? 1 : 0;
      }
    }
  }
}
