package dev.instanode.provisioner.postgres;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.RunawayBounds;
import java.time.Duration;

/**
 * Whether a tenant session has gone past its plan's bounds. The bounds come from the plan, not from
 * the session or the role: a tenant may lower, raise or reset its own {@code statement_timeout}
 * (even its role's default), and is judged by its plan all the same.
 */
final class RunawayDecision {
  enum Action {
    NONE,
    /** A statement ran longer than the plan allows: cancel it. */
    CANCEL_STATEMENT,
    /** A transaction sat idle longer than the plan allows: end the session, as Postgres would. */
    END_SESSION
  }

  /**
   * One tenant backend, as {@code pg_stat_activity} shows it.
   *
   * @param running how long the current (or last) statement has run
   * @param inState how long the session has been in {@code state}
   */
  record Session(String state, Duration running, Duration inState) {
    Session {
      requireNonNull(state, "state is null");
      requireNonNull(running, "running is null");
      requireNonNull(inState, "inState is null");
    }
  }

  private RunawayDecision() {}

  /** {@code grace} absorbs the time between the bound passing and this check seeing it. */
  static Action classify(Session session, RunawayBounds bounds, Duration grace) {
    if (session.state().equals("active")) {
      return exceeded(session.running(), bounds.statement(), grace)
          ? Action.CANCEL_STATEMENT
          : Action.NONE;
    }
    if (session.state().startsWith("idle in transaction")) {
      return exceeded(session.inState(), bounds.idleInTransaction(), grace)
          ? Action.END_SESSION
          : Action.NONE;
    }
    return Action.NONE;
  }

  private static boolean exceeded(Duration elapsed, Duration bound, Duration grace) {
    return !bound.isZero() && elapsed.compareTo(bound.plus(grace)) > 0;
  }
}
