package dev.instanode.api.ops;

import dev.instanode.core.Masking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs every readiness check in parallel under one overall deadline. */
public final class Readiness {
  private static final Duration DEADLINE = Duration.ofSeconds(3);
  private static final int DETAIL_MAX = 80;

  private final List<ReadinessCheck> checks;

  public Readiness(List<ReadinessCheck> checks) {
    this.checks = List.copyOf(checks);
  }

  public record CheckResult(String name, boolean critical, String status, String detail) {}

  public record Report(String overall, List<CheckResult> checks) {
    public boolean ready() {
      return !overall.equals("failed");
    }
  }

  public Report run() {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (ReadinessCheck check : checks) {
        futures.add(
            pool.submit(() -> {
              check.probe().run();
              return null;
            }));
      }
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      List<CheckResult> results = new ArrayList<>();
      boolean criticalFailed = false;
      boolean anyFailed = false;
      for (int i = 0; i < checks.size(); i++) {
        ReadinessCheck check = checks.get(i);
        String detail = "";
        boolean ok;
        try {
          futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          ok = true;
        } catch (TimeoutException e) {
          futures.get(i).cancel(true);
          ok = false;
          detail = "timed out";
        } catch (Exception e) {
          ok = false;
          Throwable cause = e.getCause() == null ? e : e.getCause();
          detail = scrub(cause.toString());
        }
        anyFailed |= !ok;
        criticalFailed |= !ok && check.critical();
        results.add(new CheckResult(check.name(), check.critical(), ok ? "ok" : "failed", detail));
      }
      String overall = criticalFailed ? "failed" : anyFailed ? "degraded" : "ok";
      return new Report(overall, results);
    }
  }

  private static String scrub(String detail) {
    String s = Masking.scrubUrls(detail);
    return s.length() > DETAIL_MAX ? s.substring(0, DETAIL_MAX) : s;
  }
}
