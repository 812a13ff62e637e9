package dev.instanode.api.ops;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.http.ErrorMapper;
import dev.instanode.api.wire.CapabilitiesReply;
import dev.instanode.api.wire.HealthReply;
import dev.instanode.api.wire.LivenessReply;
import dev.instanode.api.wire.ReadinessReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.crypto.Secrets;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;

/**
 * Liveness, health, readiness, metrics and the public plan table. These routes answer anyone, so
 * none of them reaches a database per call (the migration version is read at boot, readiness is
 * cached by {@link Readiness}), and at most {@link #MAX_IN_FLIGHT} of the heavier ones run at a
 * time: a flood of them gets 503 and cannot queue in front of the API.
 */
public final class OpsHandler {
  static final int MAX_IN_FLIGHT = 8;

  private final ApiSettings settings;
  private final Readiness readiness;
  private final PrometheusMeterRegistry prometheus;
  private final CapabilitiesReply capabilities;
  private final ApiDocuments documents;
  private final String migrationVersion;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Clock clock;
  private final Instant startedAt;

  public OpsHandler(
      ApiSettings settings,
      Readiness readiness,
      PrometheusMeterRegistry prometheus,
      Plans plans,
      String migrationVersion,
      ApiDocuments documents,
      Clock clock) {
    this.settings = settings;
    this.readiness = readiness;
    this.prometheus = prometheus;
    this.capabilities = Capabilities.of(plans, settings.upgradeUrl());
    this.documents = documents;
    this.migrationVersion = migrationVersion;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  public void livez(Context ctx) {
    ctx.json(new LivenessReply(true));
  }

  public void healthz(Context ctx) {
    bulkheaded(ctx, () -> health(ctx));
  }

  private void health(Context ctx) {
    ctx.header("Cache-Control", "no-store")
        .json(
            new HealthReply(
                true,
                "instanode-api",
                settings.version(),
                settings.commitId(),
                migrationVersion,
                Duration.between(startedAt, clock.instant()).toSeconds()));
  }

  public void readyz(Context ctx) {
    bulkheaded(
        ctx,
        () -> {
          Readiness.Report report = readiness.run();
          ctx.status(report.ready() ? 200 : 503)
              .header("Cache-Control", "no-store")
              .json(
                  new ReadinessReply(
                      report.overall(),
                      report.checks().stream()
                          .map(c ->
                              new ReadinessReply.Check(
                                  c.name(), c.critical(), c.status(), c.code()))
                          .toList()));
        });
  }

  public void metrics(Context ctx) {
    bulkheaded(ctx, () -> scrape(ctx));
  }

  private void scrape(Context ctx) {
    if (settings.metricsToken().isPresent()) {
      String header = ctx.header("Authorization");
      String presented = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
      if (!Secrets.constantTimeEquals(presented, settings.metricsToken().get())) {
        throw new ApiException(ErrorCode.UNAUTHORIZED, "/metrics needs the metrics bearer token.");
      }
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
  }

  // Refusals are counted, not logged: a flood would otherwise flood the log too.
  private void bulkheaded(Context ctx, Runnable route) {
    if (!inFlight.tryAcquire()) {
      prometheus.counter("instant_ops_requests_shed_total").increment();
      ErrorMapper.write(
          ctx,
          ErrorCode.SERVICE_UNAVAILABLE,
          "Too many health and metrics requests at once; retry shortly.",
          OptionalInt.of(1));
      return;
    }
    try {
      route.run();
    } finally {
      inFlight.release();
    }
  }

  /** {@code GET /llms.txt}: the agent guide. */
  public void llms(Context ctx) {
    ctx.contentType("text/plain; charset=utf-8").result(documents.llms());
  }

  /** {@code GET /llms-full.txt}: the guide with every error code. */
  public void llmsFull(Context ctx) {
    ctx.contentType("text/plain; charset=utf-8").result(documents.llmsFull());
  }

  /** {@code GET /openapi.json}. */
  public void openapi(Context ctx) {
    ctx.contentType("application/json").result(documents.openApi());
  }

  public void capabilities(Context ctx) {
    ctx.json(capabilities);
  }
}
