package dev.instanode.store;

import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.Handle;

/**
 * Row locks on the platform database are waited for a bounded time: a lock held longer means
 * another request or replica is working on that row, and the caller answers "busy" or moves on
 * rather than queueing behind it.
 */
public final class LockTimeouts {
  /** PostgreSQL's lock_not_available: the transaction's {@code lock_timeout} ran out. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private LockTimeouts() {}

  /** Bounds every lock wait in the caller's transaction (it ends with the transaction). */
  public static void setLocal(Handle h, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a lock timeout must be positive");
    }
    h.execute("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'");
  }

  /** True when {@code e}, or anything that caused it, is a lock wait that ran out. */
  public static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
