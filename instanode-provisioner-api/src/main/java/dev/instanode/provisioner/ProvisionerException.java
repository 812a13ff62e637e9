package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;
import java.util.Optional;

/** A provisioner failure, classified so callers (and gRPC) can tell a retry from a bug. */
public final class ProvisionerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The backend cannot be reached: retry later. */
    UNAVAILABLE,
    /** The backend's circuit breaker is open: the call was not attempted. */
    CIRCUIT_OPEN,
    ALREADY_EXISTS,
    INVALID_ARGUMENT,
    /** A name the DropGuard will not drop. */
    REFUSED,
    INTERNAL
  }

  private final Kind kind;

  public ProvisionerException(Kind kind, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.kind = requireNonNull(kind, "kind is null");
  }

  public Kind kind() {
    return kind;
  }

  /**
   * SQLSTATE first: class 08 (connection) and 57P03 (cannot connect now) are UNAVAILABLE; 42P04
   * (duplicate database) and 42710 (duplicate object) are ALREADY_EXISTS; anything else INTERNAL.
   */
  public static ProvisionerException fromSql(String what, SQLException e) {
    String state = Optional.ofNullable(e.getSQLState()).orElse("");
    Kind kind;
    if (state.startsWith("08") || state.equals("57P03")) {
      kind = Kind.UNAVAILABLE;
    } else if (state.equals("42P04") || state.equals("42710")) {
      kind = Kind.ALREADY_EXISTS;
    } else {
      kind = Kind.INTERNAL;
    }
    return new ProvisionerException(kind, what + " failed (SQLSTATE " + state + ")", e);
  }
}
