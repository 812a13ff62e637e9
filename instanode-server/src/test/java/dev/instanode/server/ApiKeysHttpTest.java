package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A team's API keys: listed without their secrets, scoped read or write, revoked for the very next
 * request, their last use written at most once a minute; and who a caller is.
 */
class ApiKeysHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Map<String, String> env;
  private static Application app;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    env = TestApplications.environment();
    app = TestApplications.start(env, ProvisionStepHook.NONE);
    http = new HttpJson(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  @Test
  void keysAreListedWithoutTheirSecretsAndAReadKeyOnlyReads() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> owner = Teams.bearer(Teams.session(env, team));

    JsonNode made =
        json(
            http.post(
                "/api/v1/auth/api-keys", "{\"name\":\"dashboard\",\"scopes\":[\"read\"]}", owner),
            201);
    String readKey = made.get("key").asString();
    assertThat(made.get("scopes")).extracting(JsonNode::asString).containsExactly("read");
    assertThat(made.get("prefix").asString()).isEqualTo(readKey.substring(0, 12));

    HttpResponse<String> listed = http.get("/api/v1/auth/api-keys", owner);
    JsonNode items = json(listed, 200).get("items");
    assertThat(items)
        .extracting(i -> i.get("name").asString())
        .containsExactly("dashboard", "bootstrap");
    assertThat(listed.body()).doesNotContain(readKey).doesNotContain(team.apiKey());
    JsonNode bootstrap = items.get(1);
    assertThat(bootstrap.get("prefix").asString()).isEqualTo(team.apiKey().substring(0, 12));
    assertThat(bootstrap.get("scopes"))
        .extracting(JsonNode::asString)
        .containsExactly("read", "write");
    assertThat(bootstrap.get("created_by").asString()).isEqualTo(team.owner().id().toString());

    Map<String, String> reader = Teams.bearer(readKey);
    assertThat(http.get("/api/v1/resources", reader).statusCode()).isEqualTo(200);
    for (HttpResponse<String> write :
        new HttpResponse[] {
          http.post("/db/new", "{\"name\":\"x\"}", reader),
          http.post("/api/v1/auth/api-keys", "{\"name\":\"more\"}", reader),
          http.delete("/api/v1/auth/api-keys/" + made.get("id").asString(), reader),
          // GETs that hand out power: a URL whose password writes, a new key.
          http.get("/api/me/token", reader),
          http.get(
              "/api/v1/resources/"
                  + json(http.post("/cache/new", "{\"name\":\"c\"}", owner), 201)
                      .get("token")
                      .asString()
                  + "/credentials",
              reader)
        }) {
      assertThat(json(write, 403).get("error").asString()).isEqualTo("insufficient_scope");
    }

    JsonNode who = json(http.get("/api/v1/whoami", reader), 200);
    assertThat(who.get("auth_method").asString()).isEqualTo("api_key");
    assertThat(who.get("api_key_id").asString()).isEqualTo(made.get("id").asString());
    assertThat(who.get("scopes")).extracting(JsonNode::asString).containsExactly("read");
    assertThat(who.get("team_id").asString()).isEqualTo(team.team().id().toString());
    assertThat(who.get("role").asString()).isEqualTo("owner");
    assertThat(who.get("tier").asString()).isEqualTo("hobby");

    JsonNode writer =
        json(
            http.post("/api/v1/auth/api-keys", "{\"name\":\"w\",\"scopes\":[\"write\"]}", owner),
            201);
    assertThat(writer.get("scopes"))
        .as("whoever may write may read")
        .extracting(JsonNode::asString)
        .containsExactly("read", "write");
    String forged =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("+300000-01-01T00:00:00Z|" + UUID.randomUUID())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(
            json(http.get("/api/v1/auth/api-keys?cursor=" + forged, owner), 400)
                .get("error")
                .asString())
        .isEqualTo("invalid_query");
    for (String scopes : new String[] {"[]", "[\"admin\"]", "\"read\"", "[\"read\",1]"}) {
      HttpResponse<String> bad =
          http.post("/api/v1/auth/api-keys", "{\"name\":\"k\",\"scopes\":" + scopes + "}", owner);
      assertThat(json(bad, 400).get("error").asString()).as(scopes).isEqualTo("invalid_scopes");
    }
  }

  @Test
  void aRevokedKeyIsRefusedOnItsNextRequestAndOnlyItsTeamCanRevokeIt() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    TeamBootstrap.Bootstrapped other = Teams.create(env, Tier.HOBBY);
    Map<String, String> owner = Teams.bearer(Teams.session(env, team));
    JsonNode made = json(http.post("/api/v1/auth/api-keys", "{\"name\":\"ci\"}", owner), 201);
    Map<String, String> ci = Teams.bearer(made.get("key").asString());
    String id = made.get("id").asString();
    assertThat(http.get("/api/v1/whoami", ci).statusCode()).isEqualTo(200);

    assertThat(
            http.delete("/api/v1/auth/api-keys/" + id, Teams.bearer(other.apiKey())).statusCode())
        .as("another team's key is not found")
        .isEqualTo(404);
    assertThat(http.delete("/api/v1/auth/api-keys/not-a-uuid", owner).statusCode()).isEqualTo(404);

    json(http.delete("/api/v1/auth/api-keys/" + id, owner), 200);
    assertThat(json(http.get("/api/v1/whoami", ci), 401).get("error").asString())
        .isEqualTo("unauthorized");
    assertThat(http.delete("/api/v1/auth/api-keys/" + id, owner).statusCode()).isEqualTo(404);
    assertThat(json(http.get("/api/v1/auth/api-keys", owner), 200).get("items"))
        .extracting(i -> i.get("id").asString())
        .doesNotContain(id);
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM audit_log WHERE kind = 'auth.api_key_revoked'"
                    + " AND team_id = '"
                    + team.team().id()
                    + "'"))
        .isEqualTo(1);
  }

  /**
   * Only a session makes keys: a key that could mint keys could replace itself before it is
   * revoked, so a leaked key would outlive its revocation.
   */
  @Test
  void anApiKeyCannotCreateApiKeysThroughEitherRoute() {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> key = Teams.bearer(team.apiKey());
    for (HttpResponse<String> refused :
        List.of(
            http.post("/api/v1/auth/api-keys", "{\"name\":\"copy\"}", key),
            http.get("/api/me/token", key))) {
      assertThat(json(refused, 403).get("error").asString()).isEqualTo("forbidden");
    }
    assertThat(json(http.get("/api/v1/auth/api-keys", key), 200).get("items")).hasSize(1);

    Map<String, String> session = Teams.bearer(Teams.session(env, team));
    json(http.post("/api/v1/auth/api-keys", "{\"name\":\"laptop\"}", session), 201);
    json(http.get("/api/me/token", session), 200);
    assertThat(json(http.get("/api/v1/auth/api-keys", key), 200).get("items")).hasSize(3);
  }

  /** A stream outlives its request: revoking the key that opened it ends it. */
  @Test
  void aStreamOpenedWithAKeyEndsWhenTheKeyIsRevoked() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> owner = Teams.bearer(Teams.session(env, team));
    String receiver =
        json(http.post("/webhook/new", "{\"name\":\"hooks\"}", owner), 201).get("token").asString();
    JsonNode made = json(http.post("/api/v1/auth/api-keys", "{\"name\":\"watch\"}", owner), 201);
    HttpRequest.Builder open =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.port()
                        + "/api/v1/webhooks/"
                        + receiver
                        + "/requests/stream"))
            .GET();
    Teams.bearer(made.get("key").asString()).forEach(open::header);
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient().send(open.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);

    json(http.delete("/api/v1/auth/api-keys/" + made.get("id").asString(), owner), 200);
    try (Stream<String> lines = stream.body()) {
      boolean ended =
          CompletableFuture.supplyAsync(() -> lines.anyMatch(l -> l.equals("event: end")))
              .get(30, TimeUnit.SECONDS);
      assertThat(ended).isTrue();
    }
  }

  /** Written off the request path, and at most once a minute a key. */
  @Test
  void aKeysLastUseIsRecordedAtMostOnceAMinute() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> owner = Teams.bearer(Teams.session(env, team));
    JsonNode made = json(http.post("/api/v1/auth/api-keys", "{\"name\":\"ci\"}", owner), 201);
    Map<String, String> ci = Teams.bearer(made.get("key").asString());
    String sql =
        "SELECT last_used_at::text FROM api_keys WHERE id = '" + made.get("id").asString() + "'";
    assertThat(AnonymousGateHttpTest.scalar(env, sql)).isNull();

    http.get("/api/v1/whoami", ci);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> AnonymousGateHttpTest.scalar(env, sql) != null);
    String first = AnonymousGateHttpTest.scalar(env, sql);
    for (int i = 0; i < 5; i++) {
      http.get("/api/v1/whoami", ci);
    }
    Thread.sleep(300);
    assertThat(AnonymousGateHttpTest.scalar(env, sql)).isEqualTo(first);
    JsonNode listed = json(http.get("/api/v1/auth/api-keys", owner), 200);
    assertThat(listed.get("items").get(0).get("last_used_at").isNull()).isFalse();
  }

  @Test
  void aSessionIsWhoAmIWithEveryScope() {
    HttpResponse<String> made =
        http.post(
            "/db/new",
            "{\"name\":\"mine\"}",
            Map.of("Content-Type", "application/json", "X-Forwarded-For", "10.97.0.1"));
    String jwt = json(made, 201).get("upgrade_jwt").asString();
    String email = "who-" + UUID.randomUUID() + "@example.com";
    JsonNode claimed =
        json(
            http.postJson("/claim", "{\"token\":\"" + jwt + "\",\"email\":\"" + email + "\"}"),
            201);
    JsonNode who =
        json(
            http.get("/api/v1/whoami", Teams.bearer(claimed.get("session_token").asString())), 200);
    assertThat(who.get("auth_method").asString()).isEqualTo("session");
    assertThat(who.get("email").asString()).isEqualTo(email);
    assertThat(who.get("scopes")).extracting(JsonNode::asString).containsExactly("read", "write");
    assertThat(who.get("api_key_id").isNull()).isTrue();
    assertThat(http.get("/api/v1/whoami").statusCode()).isEqualTo(401);
  }
}
