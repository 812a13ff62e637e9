package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in MCP server, driven by the MCP Java SDK's own client over Streamable HTTP: its tools
 * with their schemas, a real database made anonymously and by a team, errors as tool errors with
 * their agent_action, roles as on the routes, and the contract and guide as resources.
 */
class McpHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  private static McpSyncClient client(Optional<String> key) {
    HttpRequest.Builder request = HttpRequest.newBuilder();
    key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    McpSyncClient client =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + api.port())
                    .endpoint("/mcp")
                    .requestBuilder(request)
                    .build())
            .build();
    client.initialize();
    return client;
  }

  private static JsonNode call(McpSyncClient client, String tool, Map<String, Object> args) {
    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
    String text = ((McpSchema.TextContent) result.content().getFirst()).text();
    JsonNode body = JSON.readTree(text);
    assertThat(result.isError()).as(text).isFalse();
    return body;
  }

  private static JsonNode error(McpSyncClient client, String tool, Map<String, Object> args) {
    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
    String text = ((McpSchema.TextContent) result.content().getFirst()).text();
    assertThat(result.isError()).as(text).isTrue();
    return JSON.readTree(text);
  }

  @Test
  void everyToolIsListedWithASchemaAndAnAnonymousDatabaseIsReal() throws Exception {
    try (McpSyncClient client = client(Optional.empty())) {
      assertThat(client.listTools().tools())
          .extracting(McpSchema.Tool::name)
          .containsExactlyInAnyOrder(
              "create_postgres",
              "create_cache",
              "create_webhook",
              "create_storage",
              "create_queue",
              "list_resources",
              "get_resource",
              "delete_resource",
              "rotate_credentials",
              "claim_url",
              "create_stack",
              "get_stack",
              "set_stack_env",
              "delete_stack");
      assertThat(client.listTools().tools())
          .allSatisfy(t -> assertThat(t.inputSchema()).containsEntry("type", "object"));

      JsonNode made = call(client, "create_postgres", Map.of("name", "from-mcp"));
      PostgresUrl url = PostgresUrl.parse(made.get("connection_url").asString());
      TestPostgres.connect(url).close();
      JsonNode claim =
          call(client, "claim_url", Map.of("upgrade_jwt", made.get("upgrade_jwt").asString()));
      assertThat(claim.get("claim_url").asString()).contains("/claim/preview?t=");

      JsonNode refused = error(client, "list_resources", Map.of());
      assertThat(refused.get("error").asString()).isEqualTo("unauthorized");
      assertThat(refused.get("agent_action").asString()).startsWith("Tell the user");
      JsonNode noName = error(client, "create_postgres", Map.of());
      assertThat(noName.get("error").asString()).isEqualTo("name_required");
      assertThat(noName.has("retry_after_seconds")).isTrue();
      assertThat(
              error(client, "create_postgres", Map.of("name", "bad\u0007name"))
                  .get("error")
                  .asString())
          .isEqualTo("invalid_name");

      String guide =
          ((McpSchema.TextResourceContents)
                  client
                      .readResource(new McpSchema.ReadResourceRequest("instanode://llms.txt"))
                      .contents()
                      .getFirst())
              .text();
      assertThat(guide).contains("POST /db/new");
      String document =
          ((McpSchema.TextResourceContents)
                  client
                      .readResource(new McpSchema.ReadResourceRequest("instanode://openapi.json"))
                      .contents()
                      .getFirst())
              .text();
      assertThat(JSON.readTree(document).get("openapi").asString()).isEqualTo("3.1.0");
    }
  }

  /** Stateless: nothing is held per caller, so nobody can fill the server with sessions. */
  @Test
  void initializingOpensNoSession() throws Exception {
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/mcp"))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                                + "\"params\":{\"protocolVersion\":\"2025-06-18\","
                                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
                                + "\"version\":\"1\"}}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    assertThat(res.body()).contains("instanode");
    assertThat(res.headers().firstValue("Mcp-Session-Id")).isEmpty();
  }

  @Test
  void aTeamsKeyListsRotatesAndDeletesItsResourcesAndRolesHold() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    try (McpSyncClient client = client(Optional.of(team.apiKey()))) {
      JsonNode made = call(client, "create_postgres", Map.of("name", "team-db"));
      String token = made.get("token").asString();
      assertThat(made.has("upgrade_jwt")).as("a team's resource needs no claim").isFalse();
      assertThat(call(client, "list_resources", Map.of()).get("items"))
          .extracting(i -> i.get("token").asString())
          .contains(token);
      assertThat(call(client, "get_resource", Map.of("token", token)).at("/item/name").asString())
          .isEqualTo("team-db");
      String rotated =
          call(client, "rotate_credentials", Map.of("token", token))
              .get("connection_url")
              .asString();
      TestPostgres.connect(PostgresUrl.parse(rotated)).close();
      call(client, "delete_resource", Map.of("token", token));
      assertThat(error(client, "get_resource", Map.of("token", token)).get("error").asString())
          .isEqualTo("not_found");
    }
    String viewer = Teams.memberKey(api.env(), team.team().id(), TeamRole.VIEWER);
    try (McpSyncClient client = client(Optional.of(viewer))) {
      assertThat(error(client, "create_postgres", Map.of("name", "no")).get("error").asString())
          .isIn("forbidden_role", "insufficient_scope");
      assertThat(call(client, "list_resources", Map.of()).get("ok").asBoolean()).isTrue();
    }
    try (McpSyncClient client = client(Optional.of("ink_" + "A".repeat(43)))) {
      assertThat(error(client, "create_postgres", Map.of("name", "x")).get("error").asString())
          .isEqualTo("unauthorized");
    }
  }
}
