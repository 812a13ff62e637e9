package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Webhook receivers over HTTP on the real platform database and Redis: made like any resource, sent
 * anything (any method, binary, empty, secrets in headers), bounded by the plan (body size,
 * requests a minute), read back by their token or their team, dropped through the chokepoint.
 */
class WebhookHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger NETWORK = new AtomicInteger(10);
  private static final HttpClient RAW = HttpClient.newHttpClient();

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

  /** A fresh network each call, so the anonymous gate stays out of the way. */
  private static Map<String, String> anonymous() {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put("X-Forwarded-For", "10.77." + NETWORK.getAndIncrement() + ".9");
    return h;
  }

  private static JsonNode receiver(Map<String, String> headers) {
    HttpResponse<String> res = http.post("/webhook/new", "{\"name\":\"hooks\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static String path(JsonNode made) {
    return URI.create(made.get("receive_url").asString()).getPath();
  }

  private static HttpResponse<String> send(
      String method, String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode stored(String token, Map<String, String> headers) {
    HttpResponse<String> res = http.get("/api/v1/webhooks/" + token + "/requests", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  @Test
  void aReceiverIsMadeLikeAnyResourceAndSaysWhereToSendAndWhatItKeeps() {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    assertThat(made.get("resource_type").asString()).isEqualTo("webhook");
    assertThat(made.get("receive_url").asString())
        .endsWith("/webhook/receive/" + token)
        .isEqualTo(made.get("connection_url").asString());
    assertThat(made.get("limits").get("requests_stored").asLong()).isEqualTo(100);
    assertThat(made.get("limits").has("connections")).isFalse();
    assertThat(made.get("upgrade_jwt").asString()).isNotBlank();
    assertThat(made.get("expires_at").asString()).isNotBlank();
  }

  @Test
  void whatASenderSendsIsStoredExactlyWithHopHeadersDroppedAndSecretsMasked() throws Exception {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    HttpResponse<String> sent =
        send(
            "POST",
            path(made) + "?event=paid&attempt=1",
            "{\"amount\":42}".getBytes(),
            Map.of(
                "Content-Type", "application/json",
                "Authorization", "Bearer whsec_live_123",
                "Cookie", "session=abc",
                "X-Signature", "t=1,v1=deadbeef"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    assertThat(JSON.readTree(sent.body()).get("id").asLong()).isPositive();

    byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 10, 13, 0};
    assertThat(send("PUT", path(made) + "/deep/path", binary, Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(send("DELETE", path(made), new byte[0], Map.of()).statusCode()).isEqualTo(200);

    JsonNode items = stored(token, anonymous()).get("items");
    assertThat(items).hasSize(3);
    JsonNode empty = items.get(0);
    assertThat(empty.get("method").asString()).isEqualTo("DELETE");
    assertThat(empty.get("body_size").asInt()).isZero();
    JsonNode bin = items.get(1);
    assertThat(bin.get("method").asString()).isEqualTo("PUT");
    assertThat(bin.get("path").asString()).isEqualTo("/deep/path");
    assertThat(Base64.getDecoder().decode(bin.get("body_base64").asString())).isEqualTo(binary);
    assertThat(bin.get("body").isNull()).as("not UTF-8: no text form").isTrue();
    JsonNode json = items.get(2);
    assertThat(json.get("method").asString()).isEqualTo("POST");
    assertThat(json.get("path").asString()).isEqualTo("/");
    assertThat(json.get("query").asString()).isEqualTo("event=paid&attempt=1");
    assertThat(json.get("body").asString()).isEqualTo("{\"amount\":42}");
    JsonNode headers = json.get("headers");
    assertThat(headers.get("authorization").get(0).asString()).isEqualTo("********");
    assertThat(headers.get("cookie").get(0).asString()).isEqualTo("********");
    assertThat(headers.get("x-signature").get(0).asString()).isEqualTo("t=1,v1=deadbeef");
    assertThat(headers.has("connection")).isFalse();
    assertThat(json.get("source").asString()).isEqualTo("127.0.0.1");
    assertThat(json.toString()).doesNotContain("whsec_live_123", "session=abc");
  }

  @Test
  void anOwnerWhoOptsInHasSecretHeadersStoredAsSentFromThenOn() throws Exception {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    send("POST", path(made), new byte[0], Map.of("Authorization", "Bearer first"));
    HttpResponse<String> optIn =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/api/v1/webhooks/" + token))
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofString("{\"store_secret_headers\":true}")),
            anonymous());
    assertThat(optIn.statusCode()).as(optIn.body()).isEqualTo(200);
    assertThat(JSON.readTree(optIn.body()).get("store_secret_headers").asBoolean()).isTrue();
    send("POST", path(made), new byte[0], Map.of("Authorization", "Bearer second"));

    JsonNode items = stored(token, anonymous()).get("items");
    assertThat(items.get(0).get("headers").get("authorization").get(0).asString())
        .isEqualTo("Bearer second");
    assertThat(items.get(1).get("headers").get("authorization").get(0).asString())
        .as("what was stored masked stays masked")
        .isEqualTo("********");
    assertThat(
            AnonymousGateHttpTest.count(
                env, "SELECT count(*) FROM audit_log WHERE kind = 'webhook.settings_changed'"))
        .isGreaterThanOrEqualTo(1);
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/api/v1/webhooks/" + token))
                .method(
                    "PATCH", HttpRequest.BodyPublishers.ofString("{\"store_secret_headers\":1}")),
            anonymous());
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  void aSenderInAnotherCharsetIsStoredAsSentAndAReceiverPastItsExpiryTakesNothing()
      throws Exception {
    JsonNode made = receiver(anonymous());
    byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
    HttpResponse<String> sent =
        send(
            "POST", path(made), latin1, Map.of("Content-Type", "text/plain; charset=windows-1252"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    JsonNode item = stored(made.get("token").asString(), anonymous()).get("items").get(0);
    assertThat(Base64.getDecoder().decode(item.get("body_base64").asString())).isEqualTo(latin1);

    // Past its expiry, before the expiry job has run: it neither stores nor is read.
    JsonNode old = receiver(anonymous());
    String token = old.get("token").asString();
    try (var c = dev.instanode.testkit.TestPostgres.connect(TestApplications.platformUrl(env));
        var st = c.createStatement()) {
      st.execute(
          "UPDATE resources SET expires_at = now() - interval '1 minute' WHERE token = '"
              + token
              + "'");
    }
    assertThat(send("POST", path(old), new byte[] {1}, Map.of()).statusCode()).isEqualTo(404);
    assertThat(http.get("/api/v1/webhooks/" + token + "/requests", anonymous()).statusCode())
        .isEqualTo(404);
  }

  private static HttpResponse<String> patch(String token, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/api/v1/webhooks/" + token))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json)),
        anonymous());
  }

  private static String signature(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void withASigningSecretOnlyBodiesSignedWithItAreStored() throws Exception {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    HttpResponse<String> set = patch(token, "{\"signing_secret\":\"whsec_abc\"}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(JSON.readTree(set.body()).get("signed").asBoolean()).isTrue();
    assertThat(set.body()).doesNotContain("whsec_abc");

    byte[] body = "{\"event\":\"push\"}".getBytes();
    HttpResponse<String> unsigned = send("POST", path(made), body, Map.of());
    assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(401);
    assertThat(JSON.readTree(unsigned.body()).get("error").asString())
        .isEqualTo("invalid_signature");
    assertThat(
            send("POST", path(made), body, Map.of("X-Hub-Signature-256", signature("other", body)))
                .statusCode())
        .isEqualTo(401);
    assertThat(
            send(
                    "POST",
                    path(made),
                    body,
                    Map.of("X-Hub-Signature-256", signature("whsec_abc", body)))
                .statusCode())
        .isEqualTo(200);
    assertThat(stored(token, anonymous()).get("items")).hasSize(1);

    // "" stops checking.
    assertThat(patch(token, "{\"signing_secret\":\"\"}").statusCode()).isEqualTo(200);
    assertThat(send("POST", path(made), body, Map.of()).statusCode()).isEqualTo(200);
    assertThat(
            AnonymousGateHttpTest.count(
                env, "SELECT count(*) FROM audit_log WHERE metadata::text LIKE '%whsec_abc%'"))
        .as("the secret is never audited")
        .isZero();
  }

  @Test
  void aBodyOverThePlanIs413AndNothingIsStored() throws Exception {
    JsonNode made = receiver(anonymous());
    HttpResponse<String> res = send("POST", path(made), new byte[64 * 1024 + 1], Map.of());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(413);
    assertThat(JSON.readTree(res.body()).get("error").asString())
        .isEqualTo("webhook_body_too_large");
    assertThat(send("POST", path(made), new byte[64 * 1024], Map.of()).statusCode()).isEqualTo(200);
    assertThat(stored(made.get("token").asString(), anonymous()).get("items")).hasSize(1);
  }

  @Test
  void aReceiverTakesItsPlansRequestsAMinuteAndThen429() throws Exception {
    JsonNode made = receiver(anonymous());
    // A refused body costs no quota.
    for (int i = 0; i < 3; i++) {
      assertThat(send("POST", path(made), new byte[64 * 1024 + 1], Map.of()).statusCode())
          .isEqualTo(413);
    }
    for (int i = 0; i < 60; i++) {
      assertThat(send("POST", path(made), new byte[] {1}, Map.of()).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> over = send("POST", path(made), new byte[] {1}, Map.of());
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
    assertThat(JSON.readTree(over.body()).get("error").asString())
        .isEqualTo("webhook_rate_limited");
    assertThat(over.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void anUnknownOrMalformedReceiverIs404AndOddInputNeverA5xx() throws Exception {
    HttpResponse<String> unknown =
        send(
            "POST", "/webhook/receive/6f1e2d3c-0000-4000-8000-000000000000", new byte[0], Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).get("error").asString()).isEqualTo("not_found");
    assertThat(
            send("PATCH", "/webhook/receive/not-a-token/x", new byte[] {0}, Map.of()).statusCode())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/webhooks/not-a-token/requests").statusCode()).isEqualTo(404);
    JsonNode made = receiver(anonymous());
    assertThat(
            http.get(
                    "/api/v1/webhooks/"
                        + made.get("token").asString()
                        + "/requests?cursor=not-ours",
                    anonymous())
                .statusCode())
        .isEqualTo(400);
  }

  /** The {@code request} events of a stream opened with {@code extra} headers, until {@code n}. */
  private static List<JsonNode> events(
      String token, Map<String, String> extra, int n, Runnable then) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.port()
                        + "/api/v1/webhooks/"
                        + token
                        + "/requests/stream"))
            .GET();
    anonymous().forEach(b::header);
    extra.forEach(b::header);
    HttpResponse<Stream<String>> res = RAW.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    then.run();
    List<JsonNode> seen = new ArrayList<>();
    try (Stream<String> lines = res.body()) {
      CompletableFuture.runAsync(
              () -> {
                Iterator<String> it = lines.iterator();
                String id = null;
                while (seen.size() < n && it.hasNext()) {
                  String line = it.next();
                  if (line.startsWith("id: ")) {
                    id = line.substring(4);
                  } else if (line.startsWith("data: ")) {
                    ObjectNode event = (ObjectNode) JSON.readTree(line.substring(6));
                    event.put("event_id", id);
                    seen.add(event);
                  }
                }
              })
          .get(20, TimeUnit.SECONDS);
    }
    return seen;
  }

  @Test
  void aStreamSendsEachRequestAsItIsStoredAndResumesAfterTheLastEventId() throws Exception {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    send("POST", path(made), "before".getBytes(), Map.of());
    List<JsonNode> live =
        events(
            token,
            Map.of(),
            2,
            () -> {
              try {
                send("POST", path(made), "one".getBytes(), Map.of());
                send("POST", path(made), "two".getBytes(), Map.of());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(live).extracting(e -> e.get("body").asString()).containsExactly("one", "two");
    assertThat(live.get(0).get("event_id").asString())
        .isEqualTo(Long.toString(live.get(0).get("id").asLong()));
    // A client that lost its connection resumes after the last event it saw.
    List<JsonNode> resumed =
        events(token, Map.of("Last-Event-ID", live.get(0).get("event_id").asString()), 1, () -> {});
    assertThat(resumed).extracting(e -> e.get("body").asString()).containsExactly("two");
  }

  @Test
  void anAddressSprayingUnknownReceiversIsRefusedBeforeTheDatabaseIsAsked() throws Exception {
    Map<String, String> from = Map.of("X-Forwarded-For", "10.99.1.1");
    for (int i = 0; i < 120; i++) {
      assertThat(
              send("POST", "/webhook/receive/" + UUID.randomUUID(), new byte[0], from).statusCode())
          .isEqualTo(404);
    }
    HttpResponse<String> refused =
        send("POST", "/webhook/receive/" + UUID.randomUUID(), new byte[0], from);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    // For the rest of the minute that address is refused even for a real receiver not yet
    // remembered; any other address is not held to it.
    JsonNode made = receiver(anonymous());
    assertThat(send("POST", path(made), new byte[0], from).statusCode()).isEqualTo(429);
    assertThat(send("POST", path(made), new byte[0], Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void readsArePagedNewestFirst() throws Exception {
    JsonNode made = receiver(anonymous());
    String token = made.get("token").asString();
    for (int i = 1; i <= 5; i++) {
      send("POST", path(made), ("n" + i).getBytes(), Map.of());
    }
    JsonNode first =
        JSON.readTree(
            http.get("/api/v1/webhooks/" + token + "/requests?limit=2", anonymous()).body());
    assertThat(first.get("items"))
        .extracting(i -> i.get("body").asString())
        .containsExactly("n5", "n4");
    JsonNode second =
        JSON.readTree(
            http.get(
                    "/api/v1/webhooks/"
                        + token
                        + "/requests?limit=2&cursor="
                        + first.get("next_cursor").asString(),
                    anonymous())
                .body());
    assertThat(second.get("items"))
        .extracting(i -> i.get("body").asString())
        .containsExactly("n3", "n2");
  }

  /**
   * Claimed into a team, a receiver keeps what it stored and goes on receiving at the same URL; its
   * token alone no longer reads it, the team's key does.
   */
  @Test
  void aClaimedReceiverKeepsWhatItStoredAndAnswersOnlyToTheTeam() throws Exception {
    Map<String, String> me = anonymous();
    JsonNode made = receiver(me);
    String token = made.get("token").asString();
    send("POST", path(made), "before".getBytes(), Map.of());

    Map<String, String> team = Teams.bearer(Teams.claim(http, made).get("api_key").asString());

    assertThat(send("POST", path(made), "after".getBytes(), Map.of()).statusCode()).isEqualTo(200);
    assertThat(http.get("/api/v1/webhooks/" + token + "/requests", me).statusCode()).isEqualTo(404);
    assertThat(stored(token, team).get("items"))
        .extracting(item -> item.get("body").asString())
        .containsExactly("after", "before");
  }

  @Test
  void aTeamsReceiverIsReadWithItsAuthAndDeletingItDropsWhatItStored() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> member = Teams.bearer(team.apiKey());
    JsonNode made = receiver(member);
    String token = made.get("token").asString();
    assertThat(made.get("limits").get("requests_stored").asLong()).isEqualTo(1000);
    send("POST", path(made), "a".getBytes(), Map.of());
    send("POST", path(made), "b".getBytes(), Map.of());

    assertThat(stored(token, member).get("items")).hasSize(2);
    // A team's receiver: its token alone is no credential, nor another team's key.
    assertThat(http.get("/api/v1/webhooks/" + token + "/requests", anonymous()).statusCode())
        .isEqualTo(404);
    TeamBootstrap.Bootstrapped other = Teams.create(env, Tier.HOBBY);
    assertThat(
            http.get("/api/v1/webhooks/" + token + "/requests", Teams.bearer(other.apiKey()))
                .statusCode())
        .isEqualTo(404);

    HttpResponse<String> rotate =
        http.post("/api/v1/resources/" + token + "/rotate-credentials", "{}", member);
    assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(409);
    assertThat(JSON.readTree(rotate.body()).get("error").asString()).isEqualTo("not_rotatable");

    HttpResponse<String> deleted = http.delete("/api/v1/resources/" + token, member);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(
            AnonymousGateHttpTest.count(
                env, "SELECT count(*) FROM webhook_requests WHERE token = '" + token + "'"))
        .isZero();
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'user_delete'"
                    + " AND resource_type = 'webhook'"))
        .isGreaterThanOrEqualTo(1);
    assertThat(send("POST", path(made), "c".getBytes(), Map.of()).statusCode()).isEqualTo(404);
  }
}
