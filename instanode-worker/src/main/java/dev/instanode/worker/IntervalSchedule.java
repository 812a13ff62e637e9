package dev.instanode.worker;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;

/**
 * A fixed delay between the end of one run and the start of the next. {@code runOnStart} makes the
 * first execution of a fresh schedule immediate; otherwise it comes one interval after start. An
 * execution row that already exists (another replica created it) is kept either way.
 */
final class IntervalSchedule implements Schedule {
  private final Duration interval;
  private final boolean runOnStart;

  IntervalSchedule(Duration interval, boolean runOnStart) {
    this.interval = interval;
    this.runOnStart = runOnStart;
  }

  @Override
  public Instant getNextExecutionTime(ExecutionComplete executionComplete) {
    return executionComplete.getTimeDone().plus(interval);
  }

  @Override
  public Instant getInitialExecutionTime(Instant now) {
    return runOnStart ? now : now.plus(interval);
  }

  @Override
  public boolean isDeterministic() {
    return false;
  }

  @Override
  public String toString() {
    return "IntervalSchedule interval=" + interval + " runOnStart=" + runOnStart;
  }
}
