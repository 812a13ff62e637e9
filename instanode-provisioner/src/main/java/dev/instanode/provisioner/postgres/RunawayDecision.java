package dev.instanode.provisioner.postgres;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a tenant session has gone past its role's bounds. The bounds are the role's own settings
 * ({@link TenantRoleSettings}); a session that raised or disabled them in its own scope is judged
 * by the role's values all the same, which is what makes them limits rather than defaults.
 */
final class RunawayDecision {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|h|d)?");

  enum Action {
    NONE,
    /** A statement ran longer than the role's statement_timeout: cancel it. */
    CANCEL_STATEMENT,
    /** A transaction sat idle longer than the role's limit: end the session, as Postgres would. */
    END_SESSION
  }

  /**
   * One tenant backend, as {@code pg_stat_activity} shows it.
   *
   * @param running how long the current (or last) statement has run
   * @param inState how long the session has been in {@code state}
   * @param roleSettings the role's stored settings, name to value
   */
  record Session(
      String state, Duration running, Duration inState, Map<String, String> roleSettings) {
    Session {
      requireNonNull(state, "state is null");
      requireNonNull(running, "running is null");
      requireNonNull(inState, "inState is null");
      requireNonNull(roleSettings, "roleSettings is null");
    }
  }

  private RunawayDecision() {}

  /** {@code grace} absorbs the time between the bound passing and this check seeing it. */
  static Action classify(Session session, Duration grace) {
    if (session.state().equals("active")) {
      return exceeded(session, TenantRoleSettings.STATEMENT_TIMEOUT, session.running(), grace)
          ? Action.CANCEL_STATEMENT
          : Action.NONE;
    }
    if (session.state().startsWith("idle in transaction")) {
      return exceeded(session, TenantRoleSettings.IDLE_IN_TRANSACTION, session.inState(), grace)
          ? Action.END_SESSION
          : Action.NONE;
    }
    return Action.NONE;
  }

  private static boolean exceeded(Session s, String setting, Duration elapsed, Duration grace) {
    return bound(s.roleSettings().get(setting))
        .filter(limit -> elapsed.compareTo(limit.plus(grace)) > 0)
        .isPresent();
  }

  /**
   * A stored time setting: plain milliseconds as {@link TenantRoleSettings} writes them, or with a
   * unit as an operator might. Zero or unparseable means no bound.
   */
  static Optional<Duration> bound(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    Duration d =
        switch (unit) {
          case "s" -> Duration.ofSeconds(n);
          case "min" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofMillis(n);
        };
    return d.isZero() ? Optional.empty() : Optional.of(d);
  }
}
