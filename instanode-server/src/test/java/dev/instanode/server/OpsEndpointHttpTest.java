package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A worker or provisioner alone serves its probes and metrics on PORT (deploy/k8s relies on it).
 */
class OpsEndpointHttpTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aWorkerAloneServesLivenessReadinessAndTokenGuardedMetrics() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("METRICS_TOKEN", "scrape-me");
    try (Application worker =
        Application.start(
            Config.from(env),
            Set.of(Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()))) {
      int port = worker.opsPort();
      assertThat(get(port, "/livez", null).statusCode()).isEqualTo(200);
      assertThat(get(port, "/readyz", null).statusCode()).isEqualTo(200);
      assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(401);
      HttpResponse<String> wrong = get(port, "/metrics", "Bearer wrong");
      assertThat(wrong.statusCode()).isEqualTo(401);
      // Refusals are the envelope every instanode error uses.
      assertThat(wrong.body()).contains("\"error\":\"unauthorized\"").contains("agent_action");
      HttpResponse<String> elsewhere = get(port, "/db/new", null);
      assertThat(elsewhere.statusCode()).isEqualTo(404);
      assertThat(elsewhere.body()).contains("\"error\":\"not_found\"");
      // A context matches by prefix: only its exact path, and only GET, is served.
      assertThat(get(port, "/metricsX", null).statusCode()).isEqualTo(404);
      HttpResponse<String> metrics = get(port, "/metrics", "Bearer scrape-me");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    }
  }

  private static HttpResponse<String> get(int port, String path, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
