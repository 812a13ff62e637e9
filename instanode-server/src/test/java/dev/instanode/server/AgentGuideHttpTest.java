package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ErrorCode;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /llms.txt} and {@code /llms-full.txt} are written from the OpenAPI document, plans.yaml
 * and the error codes: every documented route and every code is in them, so they cannot drift.
 */
class AgentGuideHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void theGuideNamesEveryRouteTheLimitsClaimingAndAgentAction() {
    HttpResponse<String> brief = api.http().get("/llms.txt");
    assertThat(brief.statusCode()).isEqualTo(200);
    assertThat(brief.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(brief.body())
        .contains("POST /db/new")
        .contains("5 resources a day per network")
        .contains("claim link")
        .contains("agent_action")
        .contains("/openapi.json");
    JsonNode doc = JSON.readTree(api.http().get("/openapi.json").body());
    doc.get("paths")
        .properties()
        .forEach(path ->
            path.getValue()
                .propertyNames()
                .forEach(method ->
                    assertThat(brief.body())
                        .contains(
                            "`" + method.toUpperCase(Locale.ROOT) + " " + path.getKey() + "`")));
  }

  @Test
  void theFullGuideGivesEveryErrorCodeItsAgentAction() {
    String full = api.http().get("/llms-full.txt").body();
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(full)
          .contains("`" + code.code() + "` (" + code.httpStatus() + "): " + code.agentAction());
    }
  }
}
