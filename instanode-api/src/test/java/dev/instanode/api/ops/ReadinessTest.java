package dev.instanode.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  @Test
  void aFailingCheckReportsACodeAndNeverItsException() {
    Readiness readiness =
        new Readiness(
            List.of(
                new ReadinessCheck(
                    "redis",
                    false,
                    () -> {
                      throw new IllegalStateException(
                          "io.lettuce.core.RedisBusyException: BUSY Redis is busy running a"
                              + " script at redis://admin:hunter2@10.0.0.7:6379");
                    }),
                new ReadinessCheck(
                    "platform_db",
                    true,
                    () -> {
                      throw new RuntimeException(new ConnectException("10.0.0.9:5432 refused"));
                    }),
                new ReadinessCheck("provisioner", true, () -> {})));

    Readiness.Report report = readiness.run();

    assertThat(report.overall()).isEqualTo("failed");
    assertThat(report.checks())
        .extracting(Readiness.CheckResult::name, Readiness.CheckResult::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("redis", "error"),
            org.assertj.core.groups.Tuple.tuple("platform_db", "unreachable"),
            org.assertj.core.groups.Tuple.tuple("provisioner", "ok"));
    assertThat(report.toString())
        .doesNotContain("lettuce")
        .doesNotContain("hunter2")
        .doesNotContain("10.0.0")
        .doesNotContain("Exception");
  }

  @Test
  void callersWithinTheFreshWindowShareOneRunAndConcurrentCallersWaitForIt() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong now = new AtomicLong();
    Readiness readiness =
        new Readiness(
            List.of(
                new ReadinessCheck(
                    "platform_db",
                    true,
                    () -> {
                      probes.incrementAndGet();
                      release.await(5, TimeUnit.SECONDS);
                    })),
            now::get);

    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Readiness.Report>> reports = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        reports.add(callers.submit(readiness::run));
      }
      Thread.sleep(200);
      release.countDown();
      for (Future<Readiness.Report> report : reports) {
        assertThat(report.get(5, TimeUnit.SECONDS).overall()).isEqualTo("ok");
      }
    }
    assertThat(probes).hasValue(1);

    now.addAndGet(Readiness.FRESH_FOR.toNanos() - 1);
    readiness.run();
    assertThat(probes).hasValue(1);

    now.addAndGet(2);
    readiness.run();
    assertThat(probes).hasValue(2);
  }

  @Test
  void aCheckPastTheDeadlineIsATimeout() {
    assertThat(Readiness.classify(new java.util.concurrent.TimeoutException()))
        .isEqualTo("timeout");
    assertThat(
            Readiness.classify(
                new RuntimeException(new java.sql.SQLTransientConnectionException("pool"))))
        .isEqualTo("unreachable");
  }
}
