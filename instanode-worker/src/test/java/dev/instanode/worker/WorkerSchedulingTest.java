package dev.instanode.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The scheduler against the real embedded Postgres, in real (short) time. */
class WorkerSchedulingTest {
  private static PlatformDatabase db;
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("scheduling");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void emptySchedule() {
    db.jdbi().useHandle(h -> h.execute("DELETE FROM scheduled_tasks"));
    meters = new SimpleMeterRegistry();
  }

  /** Rescue 2 s (heartbeat 200 ms), timeout 1 s, drain 1 s, poll 50 ms. */
  private static WorkerSettings fast(String instance) {
    return WorkerSettings.defaults()
        .withTiming(
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofMillis(50))
        .withInstanceName(instance);
  }

  private Worker start(WorkerSettings settings, ScheduledJob... jobs) {
    return Worker.start(db.dataSource(), List.of(jobs), settings, meters);
  }

  private double runs(String job, String outcome) {
    var counter =
        meters.find(WorkerMetrics.JOB_RUNS).tag("job", job).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void twoReplicasOnOneDatabaseRunAJobOncePerPeriod() throws Exception {
    Duration interval = Duration.ofMillis(400);
    List<Instant> starts = new CopyOnWriteArrayList<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    Job probe =
        run -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          starts.add(Instant.now());
          Thread.sleep(50);
          running.decrementAndGet();
          return JobReport.idle();
        };
    try (Worker _ =
            start(fast("replica-a"), new ScheduledJob("single_flight", interval, true, probe));
        Worker _ =
            start(fast("replica-b"), new ScheduledJob("single_flight", interval, true, probe))) {
      Thread.sleep(2_600);
    }

    assertThat(maxRunning.get()).as("never two runs at once").isEqualTo(1);
    assertThat(starts).hasSizeBetween(3, 7);
    List<Instant> sorted = new ArrayList<>(starts);
    sorted.sort(null);
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(Duration.between(sorted.get(i - 1), sorted.get(i)))
          .as("gap before run %d", i)
          .isGreaterThanOrEqualTo(interval.minusMillis(20));
    }
  }

  @Test
  void anExecutionLeftPickedByACrashedReplicaIsRescuedWithinTheBound() {
    WorkerSettings settings = fast("survivor");
    // The crashed replica's last heartbeat is "now": it died just after beating.
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked,"
                    + " picked_by, last_heartbeat, version) VALUES ('rescue_probe', 'recurring',"
                    + " now() - interval '1 minute', true, 'crashed-replica', now(), 1)"));
    Instant crashed = Instant.now();
    CountDownLatch ran = new CountDownLatch(1);
    Job probe =
        run -> {
          ran.countDown();
          return JobReport.idle();
        };

    try (Worker _ =
        start(settings, new ScheduledJob("rescue_probe", Duration.ofHours(1), true, probe))) {
      // Not rescued while the heartbeat could still be live (6 heartbeats = 1.2 s).
      await()
          .during(Duration.ofMillis(800))
          .atMost(Duration.ofSeconds(1))
          .until(() -> ran.getCount() == 1);
      await()
          .atMost(settings.rescueAfter().plusMillis(1500))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> ran.getCount() == 0);
    }
    assertThat(Duration.between(crashed, Instant.now()))
        .isLessThan(settings.rescueAfter().plusSeconds(2));
    String pickedBy =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT coalesce(picked_by, '') || ':' || picked FROM scheduled_tasks"
                            + " WHERE task_name = 'rescue_probe'")
                    .mapTo(String.class)
                    .one());
    assertThat(pickedBy).doesNotStartWith("crashed-replica");
  }

  @Test
  void aRunPastItsTimeoutIsCancelledCountedAndTheScheduleGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean interrupted = new AtomicBoolean();
    Job slowOnce =
        run -> {
          if (calls.incrementAndGet() == 1) {
            try {
              Thread.sleep(10_000);
            } catch (InterruptedException e) {
              interrupted.set(true);
              throw e;
            }
          }
          return JobReport.idle();
        };
    WorkerSettings settings =
        fast("timeouts")
            .withTiming(
                Duration.ofSeconds(2),
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                Duration.ofMillis(50));
    try (Worker _ =
        start(settings, new ScheduledJob("slow_job", Duration.ofMillis(100), true, slowOnce))) {
      await().atMost(Duration.ofSeconds(3)).until(() -> calls.get() >= 2);
    }
    assertThat(interrupted).as("the timed-out run was interrupted").isTrue();
    assertThat(runs("slow_job", "timeout")).isEqualTo(1.0);
    assertThat(runs("slow_job", "ok")).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aFailingRunIsCountedAndTheNextRunStillHappens() {
    AtomicInteger calls = new AtomicInteger();
    Job failing =
        run -> {
          calls.incrementAndGet();
          throw new IllegalStateException("postgres://u:secret@h/db is down");
        };
    try (Worker _ =
        start(
            fast("failures"),
            new ScheduledJob("failing_job", Duration.ofMillis(100), true, failing))) {
      await().atMost(Duration.ofSeconds(3)).until(() -> calls.get() >= 2);
    }
    assertThat(runs("failing_job", "failed")).isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void everyJobsSuccessCountExistsAtZeroBeforeItsFirstRun() {
    Job never = run -> JobReport.idle();
    try (Worker _ =
        start(fast("fresh"), new ScheduledJob("not_yet", Duration.ofHours(1), false, never))) {
      var ok = meters.find(WorkerMetrics.JOB_RUNS).tag("job", "not_yet").tag("outcome", "ok");
      assertThat(ok.counter()).as("registered at start, so an alert sees no success").isNotNull();
      assertThat(ok.counter().count()).isZero();
    }
  }

  @Test
  void closeLetsARunningJobFinishWithinTheDrain() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    AtomicBoolean interrupted = new AtomicBoolean();
    Job job =
        run -> {
          started.countDown();
          try {
            Thread.sleep(400);
          } catch (InterruptedException e) {
            interrupted.set(true);
            throw e;
          }
          finished.set(true);
          return JobReport.idle();
        };
    Worker w =
        start(fast("drain"), new ScheduledJob("draining_job", Duration.ofHours(1), true, job));
    assertThat(started.await(3, TimeUnit.SECONDS)).isTrue();
    w.close();
    assertThat(finished).isTrue();
    assertThat(interrupted).isFalse();
    assertThat(runs("draining_job", "ok")).isEqualTo(1.0);
  }

  @Test
  void closeInterruptsAJobThatOutlastsTheDrain() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Job job =
        run -> {
          started.countDown();
          try {
            Thread.sleep(20_000);
          } catch (InterruptedException e) {
            interrupted.set(true);
            throw e;
          }
          return JobReport.idle();
        };
    WorkerSettings settings =
        fast("short-drain")
            .withTiming(
                Duration.ofSeconds(2),
                Duration.ofMillis(1500),
                Duration.ofMillis(300),
                Duration.ofMillis(50));
    Worker w = start(settings, new ScheduledJob("stubborn_job", Duration.ofHours(1), true, job));
    assertThat(started.await(3, TimeUnit.SECONDS)).isTrue();
    long before = System.nanoTime();
    w.close();
    Duration took = Duration.ofNanos(System.nanoTime() - before);
    await().atMost(Duration.ofSeconds(1)).untilTrue(interrupted);
    assertThat(took).as("the drain, not the job, decides").isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void idleTicksLogAtDebugAndBusyTicksAtInfo() {
    Logger logger = (Logger) LoggerFactory.getLogger(Worker.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    CountDownLatch both = new CountDownLatch(2);
    Job idle =
        run -> {
          both.countDown();
          return new JobReport(Map.of("expired", 0L));
        };
    Job busy =
        run -> {
          both.countDown();
          return new JobReport(Map.of("expired", 3L));
        };
    try (Worker _ =
        start(
            fast("logging"),
            new ScheduledJob("idle_job", Duration.ofHours(1), true, idle),
            new ScheduledJob("busy_job", Duration.ofHours(1), true, busy))) {
      await().atMost(Duration.ofSeconds(3)).until(() -> both.getCount() == 0);
      await()
          .atMost(Duration.ofSeconds(2))
          .until(() ->
              appender.list.stream().filter(e -> e.getMessage().startsWith("job.")).count() >= 2);
    } finally {
      logger.detachAppender(appender);
    }
    List<ILoggingEvent> jobLines =
        appender.list.stream().filter(e -> e.getMessage().startsWith("job.")).toList();
    assertThat(jobLines)
        .filteredOn(e -> e.getFormattedMessage().contains("job=idle_job"))
        .singleElement()
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.DEBUG));
    assertThat(jobLines)
        .filteredOn(e -> e.getFormattedMessage().contains("job=busy_job"))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.INFO);
          assertThat(e.getFormattedMessage()).contains("expired=3");
        });
  }
}
