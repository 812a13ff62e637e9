package dev.instanode.provisioner.breaker;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.PartialProvisionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Stops hammering a backend that keeps failing: after {@code threshold} consecutive failures the
 * circuit opens for {@code openFor}; then exactly one trial call is let through (half-open). A
 * trial success closes the circuit, a trial failure opens it again.
 *
 * <p>Only failures of the backend count (unreachable, internal). A caller's mistake (invalid
 * argument, already exists) or a DropGuard refusal says nothing about the backend's health.
 */
public final class CircuitBreaker {
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /** Notified on every state change, for metrics and logs. */
  @FunctionalInterface
  public interface Listener {
    void onTransition(String name, State from, State to);
  }

  private final String name;
  private final int threshold;
  private final Duration openFor;
  private final Clock clock;
  private final Listener listener;

  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openedAt = Instant.MIN;
  private boolean trialInFlight;

  public CircuitBreaker(
      String name, int threshold, Duration openFor, Clock clock, Listener listener) {
    this.name = requireNonNull(name, "name is null");
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1");
    }
    this.threshold = threshold;
    this.openFor = requireNonNull(openFor, "openFor is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.listener = requireNonNull(listener, "listener is null");
  }

  public <T> T call(Supplier<T> action) {
    boolean trial = admit();
    try {
      T result = action.get();
      onSuccess(trial);
      return result;
    } catch (RuntimeException e) {
      if (countsAsBackendFailure(e)) {
        onFailure(trial);
      } else {
        onNeutral(trial);
      }
      throw e;
    }
  }

  public void run(Runnable action) {
    call(() -> {
      action.run();
      return null;
    });
  }

  public synchronized State state() {
    return state;
  }

  private synchronized boolean admit() {
    if (state == State.OPEN) {
      if (clock.instant().isBefore(openedAt.plus(openFor))) {
        throw open();
      }
      transition(State.HALF_OPEN);
    }
    if (state == State.HALF_OPEN) {
      if (trialInFlight) {
        throw open();
      }
      trialInFlight = true;
      return true;
    }
    return false;
  }

  private synchronized void onSuccess(boolean trial) {
    consecutiveFailures = 0;
    if (trial) {
      trialInFlight = false;
      transition(State.CLOSED);
    }
  }

  private synchronized void onNeutral(boolean trial) {
    if (trial) {
      // The trial proved nothing either way; let the next caller try.
      trialInFlight = false;
    }
  }

  private synchronized void onFailure(boolean trial) {
    if (trial) {
      trialInFlight = false;
      openNow();
      return;
    }
    consecutiveFailures++;
    if (state == State.CLOSED && consecutiveFailures >= threshold) {
      openNow();
    }
  }

  private void openNow() {
    openedAt = clock.instant();
    consecutiveFailures = 0;
    transition(State.OPEN);
  }

  private void transition(State to) {
    State from = state;
    state = to;
    if (from != to) {
      listener.onTransition(name, from, to);
    }
  }

  private ProvisionerException open() {
    return new ProvisionerException(
        ProvisionerException.Kind.CIRCUIT_OPEN, "circuit open for backend " + name, null);
  }

  static boolean countsAsBackendFailure(RuntimeException e) {
    ProvisionerException.Kind kind =
        switch (e) {
          case ProvisionerException p -> p.kind();
          case PartialProvisionException p -> p.failure().kind();
          default -> ProvisionerException.Kind.INTERNAL;
        };
    return kind == ProvisionerException.Kind.UNAVAILABLE
        || kind == ProvisionerException.Kind.INTERNAL;
  }
}
