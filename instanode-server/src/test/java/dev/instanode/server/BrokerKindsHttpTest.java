package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The broker's kinds reached through the API, webhook receivers and object storage, against the
 * real server: a binding's credentials are a key of its own that reaches that one resource's data
 * routes and nothing else, and an unbind or deprovision ends it.
 */
class BrokerKindsHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PASSWORD = "broker-password-0123456789";
  private static final HttpClient RAW = HttpClient.newHttpClient();

  @RegisterExtension
  static final RunningApi api = RunningApi.with("OSB_USERNAME", "cf", "OSB_PASSWORD", PASSWORD);

  @BeforeAll
  static void catalogIds() {
    BrokerIds ids = BrokerIds.of(api.env());
    WEBHOOK = ids.service(ResourceType.WEBHOOK);
    STORAGE = ids.service(ResourceType.STORAGE);
    WEBHOOK_HOBBY = ids.plan(ResourceType.WEBHOOK, Tier.HOBBY);
    STORAGE_HOBBY = ids.plan(ResourceType.STORAGE, Tier.HOBBY);
  }

  private static String WEBHOOK;
  private static String WEBHOOK_HOBBY;
  private static String STORAGE;
  private static String STORAGE_HOBBY;

  private static OsbCalls osb() {
    return new OsbCalls(api.http(), "cf", PASSWORD);
  }

  private static Map<String, String> bearer(String key) {
    return Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json");
  }

  private static void provision(String instance, String service, String plan) {
    HttpResponse<String> res = osb().provision(instance, "", service, plan, Map.of());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
  }

  private static JsonNode bind(
      String instance, String binding, String service, String plan, int status) {
    HttpResponse<String> res = osb().bind(instance, binding, service, plan);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body()).get("credentials");
  }

  private static void unbind(String instance, String binding, String service, String plan) {
    HttpResponse<String> res = osb().unbind(instance, binding, service, plan);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
  }

  private static void deprovision(String instance, String service, String plan) {
    HttpResponse<String> res = osb().deprovision(instance, service, plan);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
  }

  /** The path and query of a URL the broker answered (the test reaches the api directly). */
  private static String path(JsonNode credentials, String field) {
    URI uri = URI.create(credentials.get(field).asString());
    return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static String errorCode(HttpResponse<String> res) {
    return JSON.readTree(res.body()).get("error").asString();
  }

  @Test
  void theCatalogOffersEveryKindThisInstallServes() {
    HttpResponse<String> res = api.http().get("/v2/catalog", osb().headers());
    assertThat(res.statusCode()).isEqualTo(200);
    List<String> services = new ArrayList<>();
    JSON.readTree(res.body())
        .get("services")
        .forEach(service -> services.add(service.get("name").asString()));
    assertThat(services)
        .containsExactly(
            "instanode-postgres", "instanode-redis", "instanode-webhook", "instanode-storage");
  }

  @Test
  void aWebhookBindingIsAKeyThatReadsThatReceiverAndNothingElse() {
    String instance = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    provision(instance, WEBHOOK, WEBHOOK_HOBBY);
    provision(other, WEBHOOK, WEBHOOK_HOBBY);
    JsonNode a = bind(instance, "hook-a", WEBHOOK, WEBHOOK_HOBBY, 201);
    JsonNode b = bind(instance, "hook-b", WEBHOOK, WEBHOOK_HOBBY, 201);
    JsonNode stranger = bind(other, "hook-c", WEBHOOK, WEBHOOK_HOBBY, 201);
    // A long id whose 64th character is half of a pair: the key's name is cut between characters.
    String longId = "x".repeat(63) + "%F0%9F%98%80" + "-tail";
    assertThat(bind(other, longId, WEBHOOK, WEBHOOK_HOBBY, 201).get("api_key").asString())
        .startsWith("ink_");
    String named;
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      named =
          db.jdbi()
              .withHandle(h ->
                  h.createQuery("SELECT name FROM api_keys WHERE binding_id LIKE 'xxx%'")
                      .mapTo(String.class)
                      .one());
    }
    assertThat(named).isEqualTo("Open Service Broker binding " + "x".repeat(63) + "\uD83D\uDE00");
    assertThat(a.get("uri").asString()).isEqualTo(a.get("receive_url").asString());
    assertThat(a.get("receive_url").asString()).isEqualTo(b.get("receive_url").asString());
    assertThat(a.get("api_key").asString()).isNotEqualTo(b.get("api_key").asString());
    // A repeated bind answers the same key.
    assertThat(bind(instance, "hook-a", WEBHOOK, WEBHOOK_HOBBY, 200)).isEqualTo(a);

    HttpResponse<String> sent =
        api.http().post(path(a, "receive_url"), "{\"event\":\"paid\"}", Map.of());
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    String keyA = a.get("api_key").asString();
    String keyB = b.get("api_key").asString();
    HttpResponse<String> read = api.http().get(path(a, "requests_url"), bearer(keyA));
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(read.body()).contains("paid");
    assertThat(api.http().get(path(b, "requests_url"), bearer(keyB)).statusCode()).isEqualTo(200);

    // Another receiver's requests: not this key's (404, as for any stranger).
    assertThat(api.http().get(path(stranger, "requests_url"), bearer(keyA)).statusCode())
        .isEqualTo(404);
    // Every route but the resource's own data refuses the key.
    for (HttpResponse<String> refused :
        new HttpResponse[] {
          api.http().get("/api/v1/resources", bearer(keyA)),
          api.http().get("/api/v1/whoami", bearer(keyA)),
          api.http().post("/db/new", "{\"name\":\"x\"}", bearer(keyA)),
          api.http().post("/api/v1/auth/api-keys", "{\"name\":\"x\"}", bearer(keyA)),
          api.http().get("/api/me/token", bearer(keyA)),
          api.http()
              .send(
                  "PATCH",
                  path(a, "requests_url").replace("/requests", ""),
                  "{\"signing_secret\":\"0123456789abcdef\"}",
                  bearer(keyA)),
        }) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
      assertThat(errorCode(refused)).isEqualTo("insufficient_scope");
    }

    // Nor does an agent's MCP call, or a browser holding it as its session, get anywhere.
    try (McpSyncClient agent =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + api.port())
                    .endpoint("/mcp")
                    .requestBuilder(
                        HttpRequest.newBuilder().header("Authorization", "Bearer " + keyA))
                    .build())
            .build()) {
      agent.initialize();
      McpSchema.CallToolResult listed =
          agent.callTool(new McpSchema.CallToolRequest("list_resources", Map.of()));
      String text = ((McpSchema.TextContent) listed.content().getFirst()).text();
      assertThat(listed.isError()).as(text).isTrue();
      assertThat(JSON.readTree(text).get("error").asString()).isEqualTo("insufficient_scope");
    }
    HttpResponse<String> page =
        api.http().get("/app/resources", Map.of("Cookie", "instanode_session=" + keyA));
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location").orElseThrow()).startsWith("/app/signin");

    // The platform owns a binding's key: the team's key list neither shows nor revokes it.
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      IdentityRepository identities = new IdentityRepository(db.jdbi());
      Map<String, Object> row =
          db.jdbi()
              .withHandle(h ->
                  h.createQuery("SELECT team_id, id FROM api_keys WHERE binding_id = 'hook-a'")
                      .mapToMap()
                      .one());
      TeamId team = new TeamId((UUID) row.get("team_id"));
      assertThat(identities.apiKeys(team, Optional.empty(), 100))
          .extracting(IdentityRepository.ApiKeyListing::id)
          .doesNotContain((UUID) row.get("id"));
      assertThat(identities.revokeApiKey(team, (UUID) row.get("id"), Optional.empty())).isZero();
    }
    assertThat(api.http().get(path(a, "requests_url"), bearer(keyA)).statusCode()).isEqualTo(200);

    unbind(instance, "hook-a", WEBHOOK, WEBHOOK_HOBBY);
    assertThat(api.http().get(path(a, "requests_url"), bearer(keyA)).statusCode()).isEqualTo(401);
    assertThat(api.http().get(path(b, "requests_url"), bearer(keyB)).statusCode()).isEqualTo(200);

    deprovision(instance, WEBHOOK, WEBHOOK_HOBBY);
    assertThat(api.http().get(path(b, "requests_url"), bearer(keyB)).statusCode()).isEqualTo(401);
    assertThat(api.http().post(path(a, "receive_url"), "{}", Map.of()).statusCode()).isEqualTo(404);
    // The other instance's binding is untouched.
    assertThat(
            api.http()
                .get(path(stranger, "requests_url"), bearer(stranger.get("api_key").asString()))
                .statusCode())
        .isEqualTo(200);
    deprovision(other, WEBHOOK, WEBHOOK_HOBBY);
  }

  @Test
  void aStorageBindingIsAKeyThatPresignsUnderThatPrefixOnly() throws Exception {
    String instance = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    provision(instance, STORAGE, STORAGE_HOBBY);
    provision(other, STORAGE, STORAGE_HOBBY);
    JsonNode a = bind(instance, "files-a", STORAGE, STORAGE_HOBBY, 201);
    JsonNode b = bind(instance, "files-b", STORAGE, STORAGE_HOBBY, 201);
    JsonNode stranger = bind(other, "files-c", STORAGE, STORAGE_HOBBY, 201);
    String keyA = a.get("api_key").asString();
    String keyB = b.get("api_key").asString();
    assertThat(a.get("uri").asString()).isEqualTo(a.get("presign_url").asString());

    String body = "hello, bucket";
    HttpResponse<String> put =
        api.http()
            .post(
                path(a, "presign_url"),
                "{\"key\":\"notes/a.txt\",\"method\":\"PUT\",\"content_length\":"
                    + body.length()
                    + "}",
                bearer(keyA));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    HttpResponse<String> stored =
        RAW.send(
            HttpRequest.newBuilder(URI.create(JSON.readTree(put.body()).get("url").asString()))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stored.statusCode()).isEqualTo(200);
    // The other binding of the same instance reads it back through a URL of its own.
    HttpResponse<String> get =
        api.http()
            .post(
                path(b, "presign_url"),
                "{\"key\":\"notes/a.txt\",\"method\":\"GET\"}",
                bearer(keyB));
    assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
    assertThat(
            RAW.send(
                    HttpRequest.newBuilder(
                            URI.create(JSON.readTree(get.body()).get("url").asString()))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .isEqualTo(body);
    HttpResponse<String> usage = api.http().get(path(a, "usage_url"), bearer(keyA));
    assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
    assertThat(JSON.readTree(usage.body()).get("storage_bytes").asLong()).isEqualTo(body.length());

    // Another storage's prefix is not this key's; other routes refuse it.
    assertThat(
            api.http()
                .post(
                    path(stranger, "presign_url"),
                    "{\"key\":\"x\",\"method\":\"GET\"}",
                    bearer(keyA))
                .statusCode())
        .isEqualTo(404);
    HttpResponse<String> list = api.http().get("/api/v1/resources", bearer(keyA));
    assertThat(list.statusCode()).isEqualTo(403);
    assertThat(errorCode(list)).isEqualTo("insufficient_scope");

    unbind(instance, "files-a", STORAGE, STORAGE_HOBBY);
    assertThat(api.http().get(path(a, "usage_url"), bearer(keyA)).statusCode()).isEqualTo(401);
    assertThat(api.http().get(path(b, "usage_url"), bearer(keyB)).statusCode()).isEqualTo(200);
    deprovision(instance, STORAGE, STORAGE_HOBBY);
    assertThat(api.http().get(path(b, "usage_url"), bearer(keyB)).statusCode()).isEqualTo(401);
    deprovision(other, STORAGE, STORAGE_HOBBY);
  }
}
