package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.regex.Pattern;

/** A job with its schedule, as the {@link Worker} registers it with db-scheduler. */
public record ScheduledJob(String name, Duration interval, boolean runOnStart, Job job) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public ScheduledJob {
    requireNonNull(name, "name is null");
    requireNonNull(interval, "interval is null");
    requireNonNull(job, "job is null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("job name must match " + NAME + ": " + name);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(name + ": interval must be positive");
    }
  }
}
