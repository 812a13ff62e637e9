package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

/** What a propagation handler reports. Only {@link Done} may ever mark a row applied. */
public sealed interface HandlerOutcome {
  record Done(int resourcesTouched) implements HandlerOutcome {}

  /**
   * @param unexpectedSkip the failure is a backend skip outside the allowlist (seed 004, F1)
   */
  record Failed(String error, boolean unexpectedSkip) implements HandlerOutcome {
    public Failed {
      requireNonNull(error, "error is null");
    }
  }
}
