package dev.instanode.api.ops;

import dev.instanode.core.Masking;
import java.net.ConnectException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every readiness check in parallel under one overall deadline, at most once per {@link
 * #FRESH_FOR}: callers in that window (a load balancer, a flood) share the last report, and callers
 * arriving while a run is in progress wait for it rather than start another. A failing check
 * reports a short code; what went wrong goes to the log, never to the public body.
 */
public final class Readiness {
  public static final Duration FRESH_FOR = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
  private static final Duration DEADLINE = Duration.ofSeconds(3);

  private final List<ReadinessCheck> checks;
  private final LongSupplier nanoTime;
  private final ReentrantLock running = new ReentrantLock();
  private volatile Report last;
  private volatile long lastAt;

  public Readiness(List<ReadinessCheck> checks) {
    this(checks, System::nanoTime);
  }

  Readiness(List<ReadinessCheck> checks, LongSupplier nanoTime) {
    this.checks = List.copyOf(checks);
    this.nanoTime = nanoTime;
  }

  /** {@code code} is {@code ok}, or why the check failed: timeout, unreachable or error. */
  public record CheckResult(String name, boolean critical, String status, String code) {}

  public record Report(String overall, List<CheckResult> checks) {
    public boolean ready() {
      return !overall.equals("failed");
    }
  }

  public Report run() {
    Report fresh = fresh();
    if (fresh != null) {
      return fresh;
    }
    running.lock();
    try {
      fresh = fresh();
      if (fresh != null) {
        return fresh;
      }
      Report report = runChecks();
      last = report;
      lastAt = nanoTime.getAsLong();
      return report;
    } finally {
      running.unlock();
    }
  }

  private Report fresh() {
    Report report = last;
    return report != null && nanoTime.getAsLong() - lastAt < FRESH_FOR.toNanos() ? report : null;
  }

  private Report runChecks() {
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
        String code = "ok";
        try {
          futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          futures.get(i).cancel(true);
          code = "timeout";
          LOG.warn("readiness.check_failed check={} code=timeout", check.name());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          code = "error";
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          code = classify(cause);
          LOG.warn(
              "readiness.check_failed check={} code={} detail={}",
              check.name(),
              code,
              Masking.scrubUrls(cause.toString()));
        }
        boolean ok = code.equals("ok");
        anyFailed |= !ok;
        criticalFailed |= !ok && check.critical();
        results.add(new CheckResult(check.name(), check.critical(), ok ? "ok" : "failed", code));
      }
      String overall = criticalFailed ? "failed" : anyFailed ? "degraded" : "ok";
      return new Report(overall, results);
    }
  }

  /** A public code for a failure: bounded, and free of hosts, classes and messages. */
  static String classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String name = t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
      if (t instanceof TimeoutException || name.contains("timeout")) {
        return "timeout";
      }
      if (t instanceof ConnectException
          || t instanceof SQLTransientConnectionException
          || name.contains("connection")) {
        return "unreachable";
      }
      if (name.contains("busy")) {
        return "busy";
      }
    }
    return "error";
  }
}
