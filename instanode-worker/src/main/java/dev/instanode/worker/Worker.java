package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.instanode.core.Masking;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The worker role: db-scheduler over the platform database, one recurring task per registered job.
 *
 * <ul>
 *   <li>Each job runs once per interval across every replica: its single {@code scheduled_tasks}
 *       row is picked by one scheduler at a time.
 *   <li>A replica that dies mid-run leaves the row picked; another replica runs it again within
 *       {@link WorkerSettings#rescueAfter()}.
 *   <li>A run is cancelled after {@link WorkerSettings#jobTimeout()}; any failure is caught, logged
 *       and counted, and the next run is scheduled as usual.
 *   <li>{@link #close()} lets running jobs finish for {@link WorkerSettings#shutdownDrain()}, then
 *       interrupts them.
 * </ul>
 *
 * Runs execute on virtual threads.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final Scheduler scheduler;
  private final ExecutorService jobThreads;
  private final List<String> jobNames;
  private final Duration shutdownDrain;

  private Worker(
      Scheduler scheduler, ExecutorService jobThreads, List<String> jobNames, Duration drain) {
    this.scheduler = scheduler;
    this.jobThreads = jobThreads;
    this.jobNames = jobNames;
    this.shutdownDrain = drain;
  }

  /** Starts every job of {@link JobRegistry#standard}: the production entry point. */
  public static Worker start(WorkerDependencies deps, WorkerSettings settings) {
    return start(
        deps.platform().dataSource(),
        JobRegistry.standard(deps, settings),
        settings,
        deps.telemetry().meters());
  }

  /**
   * Starts the given jobs. {@code dataSource} must hold the {@code scheduled_tasks} table (platform
   * migration V10).
   */
  public static Worker start(
      DataSource dataSource,
      List<ScheduledJob> jobs,
      WorkerSettings settings,
      MeterRegistry meters) {
    requireNonNull(dataSource, "dataSource is null");
    requireNonNull(settings, "settings is null");
    requireNonNull(meters, "meters is null");
    Set<String> names = new HashSet<>();
    for (ScheduledJob job : jobs) {
      if (!names.add(job.name())) {
        throw new IllegalArgumentException("job registered twice: " + job.name());
      }
    }
    // Every job's successful-run series exists from start, at zero: a rate over it then counts a
    // replica's first run, and an alert on "no success for two intervals" sees a job that never
    // succeeds instead of a series that is absent.
    for (ScheduledJob job : jobs) {
      Counter.builder(WorkerMetrics.JOB_RUNS)
          .tags("job", job.name(), "outcome", "ok")
          .register(meters);
    }
    ExecutorService jobThreads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("job-", 0).factory());
    Runner runner = new Runner(jobThreads, settings.jobTimeout(), meters);
    List<RecurringTask<Void>> tasks =
        jobs.stream()
            .map(job ->
                Tasks.recurring(job.name(), new IntervalSchedule(job.interval(), job.runOnStart()))
                    .execute((instance, context) -> runner.run(job)))
            .toList();
    Scheduler scheduler;
    try {
      scheduler =
          Scheduler.create(dataSource)
              .startTasks(tasks)
              .threads(Math.max(2, jobs.size()))
              .executorService(
                  Executors.newThreadPerTaskExecutor(
                      Thread.ofVirtual().name("worker-execution-", 0).factory()))
              .pollingInterval(settings.pollInterval())
              .heartbeatInterval(settings.heartbeatInterval())
              .missedHeartbeatsLimit(WorkerSettings.MISSED_HEARTBEATS)
              .shutdownMaxWait(settings.shutdownDrain())
              .schedulerName(new SchedulerName.Fixed(settings.instanceName()))
              .build();
      scheduler.start();
    } catch (RuntimeException e) {
      jobThreads.shutdownNow();
      throw e;
    }
    List<String> jobNames = jobs.stream().map(ScheduledJob::name).toList();
    LOG.info(
        "worker.started instance={} jobs={} rescue_after={} heartbeat={} job_timeout={}"
            + " shutdown_drain={} poll_interval={}",
        settings.instanceName(),
        jobNames,
        settings.rescueAfter(),
        settings.heartbeatInterval(),
        settings.jobTimeout(),
        settings.shutdownDrain(),
        settings.pollInterval());
    return new Worker(scheduler, jobThreads, jobNames, settings.shutdownDrain());
  }

  public List<String> jobNames() {
    return jobNames;
  }

  /**
   * Stops polling, lets running jobs finish for the drain period, then interrupts them. Executions
   * that still do not end are left picked and rescued by another replica.
   */
  @Override
  public void close() {
    LOG.info("worker.stopping drain={}", shutdownDrain);
    scheduler.stop();
    jobThreads.shutdownNow();
    try {
      if (!jobThreads.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("worker.stop_incomplete: a job ignored its interrupt");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("worker.stopped");
  }

  /** Runs one execution of a job with its context, timeout, logging and metrics. */
  private static final class Runner {
    private final ExecutorService jobThreads;
    private final Duration timeout;
    private final MeterRegistry meters;

    Runner(ExecutorService jobThreads, Duration timeout, MeterRegistry meters) {
      this.jobThreads = jobThreads;
      this.timeout = timeout;
      this.meters = meters;
    }

    void run(ScheduledJob job) {
      JobRun run = JobRun.start(job.name());
      Timer.Sample sample = Timer.start(meters);
      String outcome = "failed";
      Future<JobReport> future = null;
      try {
        future =
            jobThreads.submit(() -> {
              MDC.put("job", run.job());
              MDC.put("run_id", run.runId());
              try {
                return job.job().run(run);
              } finally {
                MDC.clear();
              }
            });
        JobReport report = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        outcome = "ok";
        if (report.isIdle()) {
          LOG.debug("job.idle job={} run_id={}", run.job(), run.runId());
        } else {
          LOG.info("job.done job={} run_id={} {}", run.job(), run.runId(), report);
        }
      } catch (TimeoutException e) {
        outcome = "timeout";
        future.cancel(true);
        LOG.error(
            "job.timeout job={} run_id={} timeout={}: cancelled", run.job(), run.runId(), timeout);
      } catch (ExecutionException e) {
        // The throwable itself is not logged: its message may carry a URL with credentials.
        Throwable cause = e.getCause() == null ? e : e.getCause();
        LOG.error(
            "job.failed job={} run_id={} error={} at={}",
            run.job(),
            run.runId(),
            Masking.scrubUrls(cause.toString()),
            cause.getStackTrace().length > 0 ? cause.getStackTrace()[0] : "?");
      } catch (InterruptedException e) {
        // The shutdown drain ran out. Cancel the job, but do not re-set the interrupt flag: this
        // thread still has to record the completion, and an interrupted thread cannot take a
        // connection from the pool.
        outcome = "interrupted";
        if (future != null) {
          future.cancel(true);
        }
        LOG.warn(
            "job.interrupted job={} run_id={}: shutdown drain elapsed", run.job(), run.runId());
      } catch (RuntimeException e) {
        // The job thread could not even start (executor shut down).
        LOG.error(
            "job.not_started job={} run_id={} error={}", run.job(), run.runId(), e.toString());
      } finally {
        WorkerMetrics.count(meters, WorkerMetrics.JOB_RUNS, "job", run.job(), "outcome", outcome);
        sample.stop(
            Timer.builder(WorkerMetrics.JOB_DURATION)
                .description("Wall time of one job run")
                .tag("job", run.job())
                .register(meters));
      }
    }
  }
}
