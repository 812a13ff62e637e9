package dev.instanode.provisioner.postgres;

import dev.instanode.core.InfraKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.RoleName;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ends tenant work past its plan's bounds on one cluster: statements running longer than the plan
 * allows are cancelled, transactions idle longer than it allows end their session. A tenant that
 * changed its own timeouts is caught here all the same, one check interval (plus {@code grace})
 * late at most.
 */
final class RunawayWatch {
  private static final String SESSIONS =
      "SELECT pid, usename, state,"
          + " EXTRACT(EPOCH FROM clock_timestamp() - query_start) * 1000 AS running_ms,"
          + " EXTRACT(EPOCH FROM clock_timestamp() - state_change) * 1000 AS state_ms"
          + " FROM pg_stat_activity WHERE (usename LIKE 'usr\\_%' OR usename LIKE 'bnd\\_%')"
          + " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
          + " AND state IS NOT NULL";

  private final Duration grace;

  RunawayWatch(Duration grace) {
    this.grace = grace;
  }

  /**
   * @param bounds each tenant's bounds by its key; {@code otherwise} for any other tenant
   */
  RunawayResult stop(Connection c, Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise)
      throws SQLException {
    record Verdict(int pid, RunawayDecision.Action action) {}
    List<Verdict> verdicts = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(SESSIONS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        // A binding's login is held to its resource's bounds; a role that is usr_ or bnd_ and
        // no key of ours is held to the default bounds.
        Optional<InfraKey> key = keyOf(rs.getString("usename"));
        RunawayDecision.Session session =
            new RunawayDecision.Session(
                rs.getString("state"),
                Duration.ofMillis(Math.max(0, rs.getLong("running_ms"))),
                Duration.ofMillis(Math.max(0, rs.getLong("state_ms"))));
        verdicts.add(
            new Verdict(
                rs.getInt("pid"),
                RunawayDecision.classify(
                    session,
                    key.map(k -> bounds.getOrDefault(k, otherwise)).orElse(otherwise),
                    grace)));
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

  private static Optional<InfraKey> keyOf(String role) {
    return role.startsWith(BindingLogin.PREFIX)
        ? BindingLogin.keyOf(role)
        : InfraKey.parse(role.substring(RoleName.PREFIX.length()));
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
