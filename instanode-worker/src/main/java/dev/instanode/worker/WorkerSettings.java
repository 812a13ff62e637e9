package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.DurationText;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the worker lets an operator tune. The anonymous TTL is not here: expiry reads each
 * row's {@code expires_at}, which the api stamped.
 *
 * <p><b>Rescue bound.</b> A replica killed mid-job leaves its execution row picked. db-scheduler
 * declares an execution dead after {@value #MISSED_HEARTBEATS} missed heartbeats and looks for dead
 * executions every two heartbeats; the heartbeat is {@code rescueAfter / 10}. A crashed execution
 * is therefore run again within {@code 0.8 × rescueAfter + pollInterval}, which is at most {@code
 * rescueAfter}. The production default is 25 minutes, the value the original system pinned (its
 * River default would have been 1h20m).
 *
 * @param intervals one interval per {@link JobKind}
 * @param rescueAfter upper bound on the time before a crashed execution runs again
 * @param jobTimeout a run still going after this is cancelled (interrupted) and counted
 * @param shutdownDrain on close, running jobs get this long to finish before they are interrupted
 * @param pollInterval how often each replica looks for due executions
 * @param poolOrphanReapDestructive arms the pool orphan reaper's deprovision; off = audit-only
 * @param orphanSweep {@code orphan_sweep}'s destructive arm (off = audit-only) and age grace
 * @param orphanDbSweep {@code orphan_db_sweep}'s two flags (its grace is {@code orphanSweep}'s)
 * @param instanceName this replica's name in {@code scheduled_tasks.picked_by}
 */
public record WorkerSettings(
    Map<JobKind, Duration> intervals,
    Duration rescueAfter,
    Duration jobTimeout,
    Duration shutdownDrain,
    Duration pollInterval,
    boolean poolOrphanReapDestructive,
    OrphanSweepSettings orphanSweep,
    OrphanDbSweepSettings orphanDbSweep,
    String instanceName) {

  public static final Duration DEFAULT_RESCUE_AFTER = Duration.ofMinutes(25);
  public static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofMinutes(20);
  public static final Duration DEFAULT_SHUTDOWN_DRAIN = Duration.ofSeconds(30);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
  public static final int MISSED_HEARTBEATS = 6;

  public static final String ENV_RESCUE_AFTER = "INSTANODE_WORKER_RESCUE_AFTER";
  public static final String ENV_JOB_TIMEOUT = "INSTANODE_WORKER_JOB_TIMEOUT";
  public static final String ENV_SHUTDOWN_DRAIN = "INSTANODE_WORKER_SHUTDOWN_DRAIN";
  public static final String ENV_POLL_INTERVAL = "INSTANODE_WORKER_POLL_INTERVAL";
  public static final String ENV_POOL_ORPHAN_REAP_DESTRUCTIVE = "POOL_ORPHAN_REAP_DESTRUCTIVE";
  public static final String ENV_ORPHAN_SWEEP_DESTRUCTIVE = "ORPHAN_SWEEP_DESTRUCTIVE";
  public static final String ENV_ORPHAN_SWEEP_GRACE = "ORPHAN_SWEEP_GRACE";
  public static final String ENV_ORPHAN_DB_SWEEP_ENABLED = "ORPHAN_DB_SWEEP_ENABLED";
  public static final String ENV_ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED =
      "ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED";
  public static final String ENV_INSTANCE_NAME = "INSTANODE_WORKER_INSTANCE_NAME";

  public WorkerSettings {
    requireNonNull(intervals, "intervals is null");
    EnumMap<JobKind, Duration> copy = new EnumMap<>(JobKind.class);
    copy.putAll(intervals);
    for (JobKind kind : JobKind.values()) {
      requirePositive(kind.intervalEnvVar(), copy.get(kind));
    }
    intervals = Collections.unmodifiableMap(copy);
    requirePositive("rescueAfter", rescueAfter);
    requirePositive("jobTimeout", jobTimeout);
    requirePositive("shutdownDrain", shutdownDrain);
    requirePositive("pollInterval", pollInterval);
    requireNonNull(orphanSweep, "orphanSweep is null");
    requireNonNull(orphanDbSweep, "orphanDbSweep is null");
    requireNonNull(instanceName, "instanceName is null");
    if (instanceName.isBlank()) {
      throw new IllegalArgumentException("instanceName is blank");
    }
    // A timed-out run must end before the rescuer could take its execution for dead.
    if (jobTimeout.compareTo(rescueAfter) >= 0) {
      throw new IllegalArgumentException(
          "job timeout ("
              + fmt(jobTimeout)
              + ") must be shorter than the rescue bound ("
              + fmt(rescueAfter)
              + ")");
    }
    if (pollInterval.multipliedBy(5).compareTo(rescueAfter) > 0) {
      throw new IllegalArgumentException(
          "poll interval ("
              + fmt(pollInterval)
              + ") must be at most a fifth of the rescue bound ("
              + fmt(rescueAfter)
              + ")");
    }
    if (heartbeatOf(rescueAfter).toMillis() < 10) {
      throw new IllegalArgumentException("rescue bound is too short: " + fmt(rescueAfter));
    }
  }

  public static WorkerSettings defaults() {
    Map<JobKind, Duration> intervals = new EnumMap<>(JobKind.class);
    for (JobKind kind : JobKind.values()) {
      intervals.put(kind, kind.defaultInterval());
    }
    return new WorkerSettings(
        intervals,
        DEFAULT_RESCUE_AFTER,
        DEFAULT_JOB_TIMEOUT,
        DEFAULT_SHUTDOWN_DRAIN,
        DEFAULT_POLL_INTERVAL,
        false,
        OrphanSweepSettings.defaults(),
        OrphanDbSweepSettings.defaults(),
        defaultInstanceName());
  }

  /**
   * Reads every variable in {@link #environmentVariables()}; unset ones keep their default. Throws
   * one {@link IllegalArgumentException} naming every bad variable.
   */
  public static WorkerSettings fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    WorkerSettings d = defaults();
    Map<JobKind, Duration> intervals = new EnumMap<>(d.intervals());
    for (JobKind kind : JobKind.values()) {
      intervals.put(kind, duration(env, kind.intervalEnvVar(), kind.defaultInterval(), problems));
    }
    Duration rescue = duration(env, ENV_RESCUE_AFTER, d.rescueAfter(), problems);
    Duration timeout = duration(env, ENV_JOB_TIMEOUT, d.jobTimeout(), problems);
    Duration drain = duration(env, ENV_SHUTDOWN_DRAIN, d.shutdownDrain(), problems);
    Duration poll = duration(env, ENV_POLL_INTERVAL, d.pollInterval(), problems);
    boolean destructive = flag(env, ENV_POOL_ORPHAN_REAP_DESTRUCTIVE, problems);
    boolean sweepDestructive = flag(env, ENV_ORPHAN_SWEEP_DESTRUCTIVE, problems);
    Duration sweepGrace =
        duration(env, ENV_ORPHAN_SWEEP_GRACE, OrphanSweepSettings.DEFAULT_GRACE, problems);
    OrphanSweepSettings sweep = d.orphanSweep();
    try {
      sweep = new OrphanSweepSettings(sweepDestructive, sweepGrace);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    OrphanDbSweepSettings dbSweep =
        new OrphanDbSweepSettings(
            flag(env, ENV_ORPHAN_DB_SWEEP_ENABLED, problems),
            flag(env, ENV_ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED, problems));
    String name = env.getOrDefault(ENV_INSTANCE_NAME, "");
    if (name.isBlank()) {
      name = d.instanceName();
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    try {
      return new WorkerSettings(
          intervals, rescue, timeout, drain, poll, destructive, sweep, dbSweep, name.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("worker settings: " + e.getMessage(), e);
    }
  }

  /** Every environment variable {@link #fromEnvironment} reads, in a stable order. */
  public static List<String> environmentVariables() {
    List<String> names = new ArrayList<>();
    for (JobKind kind : JobKind.values()) {
      names.add(kind.intervalEnvVar());
    }
    names.addAll(
        List.of(
            ENV_RESCUE_AFTER,
            ENV_JOB_TIMEOUT,
            ENV_SHUTDOWN_DRAIN,
            ENV_POLL_INTERVAL,
            ENV_POOL_ORPHAN_REAP_DESTRUCTIVE,
            ENV_ORPHAN_SWEEP_DESTRUCTIVE,
            ENV_ORPHAN_SWEEP_GRACE,
            ENV_ORPHAN_DB_SWEEP_ENABLED,
            ENV_ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED,
            ENV_INSTANCE_NAME));
    return List.copyOf(names);
  }

  public Duration interval(JobKind kind) {
    return intervals.get(kind);
  }

  /** db-scheduler's heartbeat: a tenth of the rescue bound. */
  public Duration heartbeatInterval() {
    return heartbeatOf(rescueAfter);
  }

  /**
   * The latest a crashed execution runs again: dead after 6 heartbeats, checked every 2, polled.
   */
  public Duration worstCaseRescue() {
    return heartbeatInterval().multipliedBy(MISSED_HEARTBEATS + 2).plus(pollInterval);
  }

  public WorkerSettings withInterval(JobKind kind, Duration interval) {
    Map<JobKind, Duration> next = new EnumMap<>(intervals);
    next.put(kind, interval);
    return new WorkerSettings(
        next,
        rescueAfter,
        jobTimeout,
        shutdownDrain,
        pollInterval,
        poolOrphanReapDestructive,
        orphanSweep,
        orphanDbSweep,
        instanceName);
  }

  public WorkerSettings withTiming(
      Duration rescueAfter, Duration jobTimeout, Duration shutdownDrain, Duration pollInterval) {
    return new WorkerSettings(
        intervals,
        rescueAfter,
        jobTimeout,
        shutdownDrain,
        pollInterval,
        poolOrphanReapDestructive,
        orphanSweep,
        orphanDbSweep,
        instanceName);
  }

  public WorkerSettings withOrphanSweep(OrphanSweepSettings sweep) {
    return new WorkerSettings(
        intervals,
        rescueAfter,
        jobTimeout,
        shutdownDrain,
        pollInterval,
        poolOrphanReapDestructive,
        sweep,
        orphanDbSweep,
        instanceName);
  }

  public WorkerSettings withOrphanDbSweep(OrphanDbSweepSettings dbSweep) {
    return new WorkerSettings(
        intervals,
        rescueAfter,
        jobTimeout,
        shutdownDrain,
        pollInterval,
        poolOrphanReapDestructive,
        orphanSweep,
        dbSweep,
        instanceName);
  }

  public WorkerSettings withInstanceName(String name) {
    return new WorkerSettings(
        intervals,
        rescueAfter,
        jobTimeout,
        shutdownDrain,
        pollInterval,
        poolOrphanReapDestructive,
        orphanSweep,
        orphanDbSweep,
        name);
  }

  private static Duration heartbeatOf(Duration rescueAfter) {
    return rescueAfter.dividedBy(10);
  }

  private static void requirePositive(String name, Duration d) {
    requireNonNull(d, name + " is null");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  private static Duration duration(
      Map<String, String> env, String name, Duration fallback, List<String> problems) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return DurationText.parse(raw);
    } catch (IllegalArgumentException e) {
      problems.add(name + " " + e.getMessage());
      return fallback;
    }
  }

  private static boolean flag(Map<String, String> env, String name, List<String> problems) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return false;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> {
        problems.add(name + " must be true or false");
        yield false;
      }
    };
  }

  private static String fmt(Duration d) {
    return d.toMillisPart() == 0 ? DurationText.format(d) : d.toMillis() + "ms";
  }

  private static String defaultInstanceName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "worker";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
