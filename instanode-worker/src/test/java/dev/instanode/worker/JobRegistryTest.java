package dev.instanode.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Plans;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JobRegistryTest {
  private static PlatformDatabase db;
  private static AuditLog audit;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("registry");
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    db.close();
  }

  private static WorkerDependencies deps() {
    return new WorkerDependencies(
        new WorkerDependencies.Platform(db.dataSource(), db.jdbi(), audit),
        Optional.of(new FakeProvisioner()),
        Optional.empty(),
        Plans.bundled(),
        new WorkerDependencies.Telemetry(new SimpleMeterRegistry(), Clock.systemUTC()));
  }

  @Test
  void jobNamesAreUniqueSnakeCaseAndIntervalsPositive() {
    Set<String> names = new HashSet<>();
    for (JobKind kind : JobKind.values()) {
      assertThat(names.add(kind.jobName())).as(kind.jobName()).isTrue();
      assertThat(kind.jobName()).matches("[a-z][a-z0-9_]*");
      assertThat(kind.defaultInterval()).isPositive();
    }
  }

  @Test
  void theStandardRegistryHasOneJobPerKindWithItsSchedule() {
    WorkerSettings settings =
        WorkerSettings.defaults().withInterval(JobKind.EXPIRE_ANONYMOUS, Duration.ofSeconds(15));
    List<ScheduledJob> jobs = JobRegistry.standard(deps(), settings);
    assertThat(jobs)
        .extracting(ScheduledJob::name)
        .containsExactly(
            Arrays.stream(JobKind.values()).map(JobKind::jobName).toArray(String[]::new));
    for (JobKind kind : JobKind.values()) {
      ScheduledJob job = jobs.get(kind.ordinal());
      assertThat(job.interval()).isEqualTo(settings.interval(kind));
      assertThat(job.runOnStart()).isEqualTo(kind.runOnStart());
    }
  }

  @Test
  void startingTheWorkerSchedulesEveryRegisteredJobInTheDatabase() {
    WorkerSettings settings =
        WorkerSettings.defaults()
            .withTiming(
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                Duration.ofMillis(200))
            .withInstanceName("registry-test");
    try (Worker worker = Worker.start(deps(), settings)) {
      List<String> scheduled =
          db.jdbi()
              .withHandle(h ->
                  h.createQuery("SELECT task_name FROM scheduled_tasks ORDER BY task_name")
                      .mapTo(String.class)
                      .list());
      assertThat(scheduled)
          .containsExactlyInAnyOrder(
              Arrays.stream(JobKind.values()).map(JobKind::jobName).toArray(String[]::new));
      assertThat(worker.jobNames()).hasSize(JobKind.values().length);
    }
  }
}
