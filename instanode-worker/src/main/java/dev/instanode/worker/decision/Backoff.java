package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A retry policy as a value: the wait after the n-th failed attempt, and how many attempts there
 * are in all. Past the end of the list the last step repeats.
 */
public record Backoff(List<Duration> steps, int maxAttempts) {
  public Backoff {
    steps = List.copyOf(requireNonNull(steps, "steps is null"));
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a backoff needs at least one step");
    }
    for (Duration step : steps) {
      if (step.isNegative() || step.isZero()) {
        throw new IllegalArgumentException("backoff steps must be positive: " + step);
      }
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  public static Backoff of(Duration... steps) {
    return new Backoff(List.of(steps), steps.length);
  }

  public Backoff maxAttempts(int attempts) {
    return new Backoff(steps, attempts);
  }

  /**
   * @param failedAttempts attempts made so far, this failure included (1 after the first)
   */
  public Duration delayAfter(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts starts at 1");
    }
    return steps.get(Math.min(failedAttempts, steps.size()) - 1);
  }

  /** True once {@code failedAttempts} attempts have been used up: dead-letter, no more retries. */
  public boolean exhausted(int failedAttempts) {
    return failedAttempts >= maxAttempts;
  }
}
