package dev.instanode.api.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code instant_http_request_duration_seconds{method,route,status_class}} and {@code
 * instant_http_slow_requests_closed_total}.
 */
public final class HttpMetrics {
  private final MeterRegistry meters;

  public HttpMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** A client that took longer than the read timeout to send its request was disconnected. */
  public void slowRequestClosed() {
    meters.counter("instant_http_slow_requests_closed_total").increment();
  }

  public void record(Context ctx) {
    // The route template, not the raw path, keeps the label set bounded.
    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    String route = matched == null ? "unmatched" : matched.path;
    Timer.builder("instant_http_request_duration_seconds")
        .description("HTTP request duration")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status_class", ctx.status().getCode() / 100 + "xx")
        .publishPercentileHistogram()
        .register(meters)
        .record(RequestContext.elapsedNanos(ctx), TimeUnit.NANOSECONDS);
  }
}
