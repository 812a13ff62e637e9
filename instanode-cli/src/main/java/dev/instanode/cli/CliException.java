package dev.instanode.cli;

/**
 * A command that failed, with the exit code its kind of error maps to and what to tell the person:
 * the api's {@code message} and {@code agent_action} when it answered with its envelope.
 */
public final class CliException extends RuntimeException {
  /** Exit codes by kind of error, for scripts. */
  public static final int FAILED = 1;

  public static final int AUTH = 3;
  public static final int NOT_FOUND = 4;
  public static final int LIMIT = 5;
  public static final int CONFLICT = 6;
  public static final int UNAVAILABLE = 7;

  private final int exitCode;
  private final String agentAction;
  private final String code;

  public CliException(int exitCode, String message, String agentAction) {
    this(exitCode, message, agentAction, "");
  }

  /**
   * @param code the api's error code, when it answered with its envelope
   */
  public CliException(int exitCode, String message, String agentAction, String code) {
    super(message);
    this.exitCode = exitCode;
    this.agentAction = agentAction;
    this.code = code;
  }

  public String code() {
    return code;
  }

  public int exitCode() {
    return exitCode;
  }

  public String agentAction() {
    return agentAction;
  }

  /** The exit code of an HTTP error status. */
  static int forStatus(int status) {
    return switch (status) {
      case 401, 403 -> AUTH;
      case 404, 410 -> NOT_FOUND;
      case 402, 429 -> LIMIT;
      case 409 -> CONFLICT;
      default -> status >= 500 ? UNAVAILABLE : FAILED;
    };
  }
}
