package dev.instanode.api.ops;

import dev.instanode.api.ApiSettings;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.crypto.Secrets;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Liveness, health, readiness, metrics and the public plan table. */
public final class OpsHandler {
  private final ApiSettings settings;
  private final Readiness readiness;
  private final PrometheusMeterRegistry prometheus;
  private final Plans plans;
  private final Supplier<String> migrationVersion;
  private final Clock clock;
  private final Instant startedAt;

  public OpsHandler(
      ApiSettings settings,
      Readiness readiness,
      PrometheusMeterRegistry prometheus,
      Plans plans,
      Supplier<String> migrationVersion,
      Clock clock) {
    this.settings = settings;
    this.readiness = readiness;
    this.prometheus = prometheus;
    this.plans = plans;
    this.migrationVersion = migrationVersion;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  public void livez(Context ctx) {
    ctx.json(Map.of("alive", true));
  }

  public void healthz(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("service", "instanode-api");
    body.put("version", settings.version());
    body.put("commit_id", settings.commitId());
    body.put("migration_version", safeMigrationVersion());
    body.put("uptime_seconds", Duration.between(startedAt, clock.instant()).toSeconds());
    ctx.header("Cache-Control", "no-store").json(body);
  }

  private String safeMigrationVersion() {
    try {
      return migrationVersion.get();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  public void readyz(Context ctx) {
    Readiness.Report report = readiness.run();
    ctx.status(report.ready() ? 200 : 503)
        .header("Cache-Control", "no-store")
        .json(Map.of("overall", report.overall(), "checks", report.checks()));
  }

  public void metrics(Context ctx) {
    if (settings.metricsToken().isPresent()) {
      String header = ctx.header("Authorization");
      String presented = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
      if (!Secrets.constantTimeEquals(presented, settings.metricsToken().get())) {
        throw new ApiException(ErrorCode.UNAUTHORIZED, "/metrics needs the metrics bearer token.");
      }
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
  }

  public void capabilities(Context ctx) {
    ctx.json(Map.of("ok", true, "tiers", plans.asWireMap()));
  }
}
