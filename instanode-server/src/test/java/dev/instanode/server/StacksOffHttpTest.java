package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** KUBERNETES_MODE=off: every stack route says so, and resources work as ever. */
class StacksOffHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static Application app;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestApplications.environment();
    env.put("KUBERNETES_MODE", "off");
    app = TestApplications.start(env, dev.instanode.provisioner.ProvisionStepHook.NONE);
    http = HttpJson.fromManyNetworks(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void everyStackRouteAnswers503StacksUnavailable() {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    HttpResponse<?>[] answers = {
      http.post(
          "/stacks/new",
          "{\"name\":\"x\",\"manifest\":{\"services\":{\"web\":{\"image\":\"nginx\"}}}}",
          json),
      http.get("/stacks/stk-00000000"),
      http.delete("/stacks/stk-00000000", Map.of()),
      http.post("/stacks/stk-00000000/redeploy", "", json),
      http.get("/stacks/stk-00000000/logs/web"),
    };
    for (HttpResponse<?> res : answers) {
      assertThat(res.statusCode()).as(res.uri().toString()).isEqualTo(503);
      assertThat(JSON.readTree(res.body().toString()).get("error").asString())
          .isEqualTo("stacks_unavailable");
    }
    assertThat(http.postJson("/db/new", "{\"name\":\"still\"}").statusCode()).isEqualTo(201);
  }
}
