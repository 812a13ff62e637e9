package dev.instanode.worker;

/**
 * One periodic job. A run does one pass and reports what it did; it may throw, and the {@link
 * Worker} catches, logs and counts the failure so the schedule goes on. Every job is idempotent: a
 * second run over the same data changes nothing.
 */
@FunctionalInterface
public interface Job {
  JobReport run(JobRun run) throws Exception;
}
