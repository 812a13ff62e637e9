package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Tier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The MCP stack tools over the SDK's client, on the fabric8 mock API server. */
@EnableKubernetesMockClient(crud = true)
class McpStacksHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static KubernetesClient client;
  private static StackRig rig;

  @BeforeAll
  static void start() {
    rig = StackRig.start(client, Set.of(Role.API), Map.of());
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void aTeamCreatesReadsChangesAndDeletesAStackThroughTools() {
    String key = Teams.create(rig.env, Tier.PRO).apiKey();
    try (McpSyncClient mcp =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + rig.app.port())
                    .endpoint("/mcp")
                    .requestBuilder(
                        HttpRequest.newBuilder().header("Authorization", "Bearer " + key))
                    .build())
            .build()) {
      mcp.initialize();
      JsonNode made =
          call(
              mcp,
              "create_stack",
              Map.of(
                  "name",
                  "app",
                  "manifest",
                  Map.of("services", Map.of("web", Map.of("image", "nginx:1.27")))));
      String slug = made.get("stack_id").asString();
      assertThat(call(mcp, "get_stack", Map.of("slug", slug)).get("stack_id").asString())
          .isEqualTo(slug);
      JsonNode env = call(mcp, "set_stack_env", Map.of("slug", slug, "env", Map.of("A", "b")));
      assertThat(env.get("env").get("A").asString()).isEqualTo("********");
      call(mcp, "delete_stack", Map.of("slug", slug));
      McpSchema.CallToolResult gone =
          mcp.callTool(new McpSchema.CallToolRequest("get_stack", Map.of("slug", slug)));
      assertThat(gone.isError()).isTrue();
      assertThat(((McpSchema.TextContent) gone.content().getFirst()).text()).contains("not_found");
    }
  }

  private static JsonNode call(McpSyncClient mcp, String tool, Map<String, Object> args) {
    McpSchema.CallToolResult result = mcp.callTool(new McpSchema.CallToolRequest(tool, args));
    String text = ((McpSchema.TextContent) result.content().getFirst()).text();
    assertThat(result.isError()).as(text).isFalse();
    return JSON.readTree(text);
  }
}
