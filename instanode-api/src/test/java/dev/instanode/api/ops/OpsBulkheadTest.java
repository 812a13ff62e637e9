package dev.instanode.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.http.Json;
import dev.instanode.core.Plans;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A flood of health and metrics requests is shed with 503, never queued behind the slow ones. */
class OpsBulkheadTest {
  @Test
  void pastTheLimitOpsRequestsAre503WithRetryAfterWhileLivezStillAnswers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inProbe = new AtomicInteger();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ReadinessCheck slow =
        new ReadinessCheck(
            "platform_db",
            true,
            () -> {
              inProbe.incrementAndGet();
              release.await(10, TimeUnit.SECONDS);
            });
    OpsHandler ops =
        new OpsHandler(
            new ApiSettings(
                "http://localhost",
                "http://localhost/api/v1/capabilities",
                Duration.ofDays(90),
                Duration.ofHours(24),
                Set.of(),
                1024,
                "v",
                "c",
                Optional.empty()),
            new Readiness(List.of(slow)),
            meters,
            Plans.bundled(),
            "12",
            ApiDocuments.of(Plans.bundled(), "http://localhost", Duration.ofHours(24)),
            Clock.systemUTC());
    Javalin app =
        Javalin.create(c -> {
          c.startup.startupWatcherEnabled = false;
          c.concurrency.useVirtualThreads = true;
          c.jsonMapper(new JavalinJackson3(Json.mapper(), false));
          c.routes.get("/readyz", ops::readyz);
          c.routes.get("/livez", ops::livez);
        });
    app.start("127.0.0.1", 0);
    HttpClient client = HttpClient.newHttpClient();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < OpsHandler.MAX_IN_FLIGHT; i++) {
        held.add(callers.submit(() -> get(client, app.port(), "/readyz")));
      }
      // The Readiness cache lets later callers wait on the first run; all eight are in the
      // bulkhead either way.
      Thread.sleep(500);

      HttpResponse<String> shed = get(client, app.port(), "/readyz");
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(shed.body()).contains("\"error\":\"service_unavailable\"");
      assertThat(get(client, app.port(), "/livez").statusCode()).isEqualTo(200);
      assertThat(meters.counter("instant_ops_requests_shed_total").count()).isEqualTo(1.0);

      release.countDown();
      for (Future<HttpResponse<String>> f : held) {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      assertThat(get(client, app.port(), "/readyz").statusCode()).isEqualTo(200);
    } finally {
      app.stop();
    }
  }

  private static HttpResponse<String> get(HttpClient client, int port, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
