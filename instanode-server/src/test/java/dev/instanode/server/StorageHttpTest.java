package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.objects.ObjectStore;
import dev.instanode.objects.ObjectStoreSettings;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Object storage over HTTP against a real S3-compatible server (S3Proxy on files): made like any
 * resource, reached only through presigned URLs under the tenant's own prefix, held to its plan,
 * and emptied through the chokepoint when it is deleted or expires.
 */
class StorageHttpTest {
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
    h.put("X-Forwarded-For", "10.88." + NETWORK.getAndIncrement() + ".9");
    return h;
  }

  private static JsonNode storage(Map<String, String> headers) {
    HttpResponse<String> res = http.post("/storage/new", "{\"name\":\"files\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static HttpResponse<String> presign(
      String token, String body, Map<String, String> headers) {
    return http.post("/storage/" + token + "/presign", body, headers);
  }

  private static JsonNode presigned(String token, String body, Map<String, String> headers) {
    HttpResponse<String> res = presign(token, body, headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  private static HttpResponse<String> call(String method, JsonNode signed, String body)
      throws Exception {
    return RAW.send(
        HttpRequest.newBuilder(URI.create(signed.get("url").asString()))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void upload(String token, String key, String body, Map<String, String> headers)
      throws Exception {
    JsonNode put =
        presigned(
            token,
            "{\"key\":\"" + key + "\",\"method\":\"PUT\",\"content_length\":" + body.length() + "}",
            headers);
    assertThat(call("PUT", put, body).statusCode()).isEqualTo(200);
  }

  private static ObjectStore platformView(Map<String, String> settings) {
    URI endpoint = URI.create(settings.get("S3_ENDPOINT"));
    return ObjectStore.open(
        new ObjectStoreSettings(
            endpoint,
            endpoint,
            settings.get("S3_REGION"),
            settings.get("S3_BUCKET"),
            settings.get("S3_ACCESS_KEY"),
            settings.get("S3_SECRET_KEY")));
  }

  @Test
  void anAnonymousStorageTakesAPresignedPutAndGivesTheBytesBack() throws Exception {
    Map<String, String> me = anonymous();
    JsonNode made = storage(me);
    String token = made.get("token").asString();
    assertThat(made.get("resource_type").asString()).isEqualTo("storage");
    assertThat(made.get("presign_url").asString()).endsWith("/storage/" + token + "/presign");
    assertThat(made.get("connection_url").asString()).endsWith("/" + token + "/");
    assertThat(made.get("limits").get("storage_mb").asLong()).isEqualTo(10);
    assertThat(made.get("limits").has("connections")).isFalse();
    assertThat(made.get("expires_at")).isNotNull();

    upload(token, "notes/hello.txt", "hello, bucket", me);
    JsonNode get = presigned(token, "{\"key\":\"notes/hello.txt\",\"method\":\"GET\"}", me);
    assertThat(get.get("key").asString()).isEqualTo("notes/hello.txt");
    HttpResponse<String> read = call("GET", get, "");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("hello, bucket");

    JsonNode usage = JSON.readTree(http.get("/storage/" + token, me).body());
    assertThat(usage.get("storage_bytes").asLong()).isEqualTo(13);
    assertThat(usage.get("objects").asLong()).isEqualTo(1);
    assertThat(usage.get("storage_limit_bytes").asLong()).isEqualTo(10L * 1024 * 1024);

    // A URL signed for 13 bytes takes no more.
    JsonNode put =
        presigned(token, "{\"key\":\"notes/b.txt\",\"method\":\"PUT\",\"content_length\":13}", me);
    assertThat(put.get("headers").get("content-length").get(0).asString()).isEqualTo("13");
    assertThat(call("PUT", put, "a much longer body than was signed").statusCode()).isEqualTo(403);

    JsonNode delete = presigned(token, "{\"key\":\"notes/hello.txt\",\"method\":\"DELETE\"}", me);
    assertThat(call("DELETE", delete, "").statusCode()).isEqualTo(204);
    assertThat(call("GET", get, "").statusCode()).isEqualTo(404);
  }

  @Test
  void keysThatCouldEscapeThePrefixAndOtherBadInputGetTheEnvelope() {
    Map<String, String> me = anonymous();
    String token = storage(me).get("token").asString();
    for (String key :
        new String[] {"../x", "/abs", "a/../../b", "a//b", "%2e%2e/x", "a%2Fb", "a\\\\b", ""}) {
      HttpResponse<String> res = presign(token, "{\"key\":\"" + key + "\",\"method\":\"GET\"}", me);
      assertThat(res.statusCode()).as(key).isEqualTo(400);
      assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("invalid_object_key");
    }
    for (String body :
        new String[] {
          "{\"key\":\"a\",\"method\":\"POST\"}",
          "{\"key\":\"a\",\"method\":\"GET\",\"expires_in\":3601}",
          "{\"key\":\"a\",\"method\":\"GET\",\"expires_in\":0}",
          "{\"key\":\"a\",\"method\":\"GET\",\"content_length\":5}",
          "{\"key\":\"a\",\"method\":\"PUT\",\"content_length\":-1}",
          "{\"key\":\"a\",\"method\":\"PUT\",\"content_length\":1,"
              + "\"content_type\":\"text/plain\\r\\nx: y\"}",
          "{\"key\":\"a\",\"method\":\"PUT\"}",
          "{\"key\":\"a\",\"method\":\"PUT\",\"content_length\":" + (6L << 30) + "}"
        }) {
      HttpResponse<String> res = presign(token, body, me);
      assertThat(res.statusCode()).as(body).isEqualTo(400);
      assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("invalid_presign");
    }
    assertThat(presign(token, "{\"key\":", me).statusCode()).isEqualTo(400);
    assertThat(presign(token, "{\"method\":\"GET\"}", me).statusCode()).isEqualTo(400);
    HttpResponse<String> unknown =
        presign(ResourceToken.random().text(), "{\"key\":\"a\",\"method\":\"GET\"}", me);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).get("error").asString()).isEqualTo("not_found");
    assertThat(presign("not-a-token", "{\"key\":\"a\",\"method\":\"GET\"}", me).statusCode())
        .isEqualTo(404);
  }

  @Test
  void anUploadThatWouldPassThePlanIsRefusedAndPresignsAreRateLimited() {
    Map<String, String> me = anonymous();
    String token = storage(me).get("token").asString();
    HttpResponse<String> tooBig =
        presign(
            token,
            "{\"key\":\"big.bin\",\"method\":\"PUT\",\"content_length\":" + (11L << 20) + "}",
            me);
    assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(402);
    assertThat(JSON.readTree(tooBig.body()).get("error").asString())
        .isEqualTo("storage_limit_reached");

    // Presigned uploads are held against the quota until their URLs expire: two of 6 MiB do not
    // both fit in 10, though nothing is stored yet.
    String sixMib =
        "{\"key\":\"half.bin\",\"method\":\"PUT\",\"content_length\":" + (6L << 20) + "}";
    assertThat(presign(token, sixMib, me).statusCode()).isEqualTo(200);
    HttpResponse<String> second = presign(token, sixMib, me);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(402);
    assertThat(JSON.readTree(second.body()).get("message").asString()).contains("presigned");

    // Anonymous storage takes 10 presigns a minute; three were asked for above.
    for (int i = 0; i < 7; i++) {
      assertThat(presign(token, "{\"key\":\"a\",\"method\":\"GET\"}", me).statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> limited = presign(token, "{\"key\":\"a\",\"method\":\"GET\"}", me);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).get("error").asString())
        .isEqualTo("presign_rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
  }

  /**
   * A presigned PUT signs its key, not the headers a client may add: sent with an unsigned {@code
   * x-amz-copy-source} naming another tenant's object, it must not copy that object in.
   */
  @Test
  void aPresignedPutCannotCopyAnotherTenantsObject() throws Exception {
    Map<String, String> victim = anonymous();
    String theirs = storage(victim).get("token").asString();
    upload(theirs, "secret.txt", "their secret", victim);
    Map<String, String> me = anonymous();
    String mine = storage(me).get("token").asString();

    JsonNode put =
        presigned(mine, "{\"key\":\"copy.txt\",\"method\":\"PUT\",\"content_length\":0}", me);
    HttpResponse<String> copy =
        RAW.send(
            HttpRequest.newBuilder(URI.create(put.get("url").asString()))
                .header(
                    "x-amz-copy-source", "/" + env.get("S3_BUCKET") + "/" + theirs + "/secret.txt")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(copy.statusCode()).as(copy.body()).isNotEqualTo(200);
    HttpResponse<String> read =
        call("GET", presigned(mine, "{\"key\":\"copy.txt\",\"method\":\"GET\"}", me), "");
    assertThat(read.body()).doesNotContain("their secret");
  }

  /** Claimed into a team, a storage keeps its objects and answers only to the team's key. */
  @Test
  void aClaimedStorageKeepsItsObjectsAndItsTokenAloneNoLongerOpensIt() throws Exception {
    Map<String, String> me = anonymous();
    JsonNode made = storage(me);
    String token = made.get("token").asString();
    upload(token, "kept.txt", "still here", me);

    Map<String, String> team = Teams.bearer(Teams.claim(http, made).get("api_key").asString());

    String get = "{\"key\":\"kept.txt\",\"method\":\"GET\"}";
    assertThat(presign(token, get, anonymous()).statusCode()).isEqualTo(404);
    assertThat(call("GET", presigned(token, get, team), "").body()).isEqualTo("still here");
    JsonNode item = JSON.readTree(http.get("/api/v1/resources/" + token, team).body()).get("item");
    assertThat(item.get("storage_bytes").asLong()).isEqualTo(10);
  }

  /**
   * A team's storage needs the team's key; its token alone, or another team's key, finds nothing.
   */
  @Test
  void aTeamsStorageIsItsOwnAndDeletingItEmptiesThePrefixThroughTheChokepoint() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    TeamBootstrap.Bootstrapped other = Teams.create(env, Tier.HOBBY);
    Map<String, String> mine = Teams.bearer(team.apiKey());
    JsonNode made = storage(mine);
    String token = made.get("token").asString();
    assertThat(made.get("limits").get("storage_mb").asLong()).isEqualTo(512);
    upload(token, "a.txt", "twelve bytes", mine);

    String get = "{\"key\":\"a.txt\",\"method\":\"GET\"}";
    assertThat(presign(token, get, anonymous()).statusCode()).isEqualTo(404);
    assertThat(presign(token, get, Teams.bearer(other.apiKey())).statusCode()).isEqualTo(404);

    JsonNode item = JSON.readTree(http.get("/api/v1/resources/" + token, mine).body());
    assertThat(item.get("item").get("storage_bytes").asLong()).isEqualTo(12);
    HttpResponse<String> rotate =
        http.post("/api/v1/resources/" + token + "/rotate-credentials", "{}", mine);
    assertThat(rotate.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(rotate.body()).get("error").asString()).isEqualTo("not_rotatable");

    assertThat(http.delete("/api/v1/resources/" + token, mine).statusCode()).isEqualTo(200);
    try (ObjectStore platform = platformView(env)) {
      assertThat(platform.usage(ObjectPrefix.of(ResourceToken.parse(token).orElseThrow())))
          .isEqualTo(new ObjectStore.Usage(0, 0));
    }
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM provisioner.drop_audit WHERE resource_type = 'storage'"
                    + " AND event = 'deprovision.dropped' AND reason = 'user_delete'"
                    + " AND names[1] = 'object_prefix:"
                    + token.substring(0, 8)
                    + "…/'"))
        .isEqualTo(1);
    assertThat(presign(token, get, mine).statusCode()).isEqualTo(404);
  }

  /**
   * The required property, end to end: an expiring storage's objects go with it, and nothing of
   * anyone else's does, however much of its token their keys share.
   */
  @Test
  void anExpiryNeverDeletesAnotherTenantsObjects() throws Exception {
    Map<String, String> expiring = TestApplications.environment();
    expiring.put("INSTANODE_ANON_TTL", "2s");
    expiring.put("INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "1s");
    expiring.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    try (Application both =
            Application.start(
                Config.from(expiring),
                Set.of(Role.API, Role.WORKER),
                new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
        ObjectStore platform = platformView(expiring)) {
      HttpJson api = new HttpJson(both.port());
      TeamBootstrap.Bootstrapped team = Teams.create(expiring, Tier.HOBBY);
      Map<String, String> keeps = Teams.bearer(team.apiKey());
      HttpResponse<String> a = api.post("/storage/new", "{\"name\":\"a\"}", anonymous());
      HttpResponse<String> b = api.post("/storage/new", "{\"name\":\"b\"}", keeps);
      assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
      assertThat(b.statusCode()).as(b.body()).isEqualTo(201);
      String dying = JSON.readTree(a.body()).get("token").asString();
      String living = JSON.readTree(b.body()).get("token").asString();

      String last = dying.substring(dying.length() - 1);
      String[] neighbours = {
        dying.substring(0, dying.length() - 1) + (last.equals("0") ? "1" : "0") + "/keep.txt",
        dying + "-copy/keep.txt",
        dying + "x",
        dying.substring(0, 8) + "/keep.txt",
        living + "/keep.txt"
      };
      for (String key : neighbours) {
        put(platform, key, "theirs");
      }
      for (int i = 0; i < 3; i++) {
        put(platform, dying + "/dir/" + i, "mine");
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              assertThat(
                      AnonymousGateHttpTest.count(
                          expiring,
                          "SELECT count(*) FROM resources WHERE token = '"
                              + dying
                              + "' AND status = 'expired'"))
                  .isEqualTo(1));
      assertThat(platform.usage(ObjectPrefix.of(ResourceToken.parse(dying).orElseThrow())))
          .as("its own objects are gone")
          .isEqualTo(new ObjectStore.Usage(0, 0));
      for (String key : neighbours) {
        assertThat(get(platform, key)).as(key).isEqualTo("theirs");
      }
      assertThat(
              AnonymousGateHttpTest.count(
                  expiring,
                  "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'expired'"
                      + " AND resource_type = 'storage' AND event = 'deprovision.dropped'"))
          .isEqualTo(1);
    }
  }

  private static void put(ObjectStore platform, String key, String body) throws Exception {
    ObjectStore.Presigned p =
        platform.presign(
            ObjectStore.Method.PUT,
            key,
            Duration.ofMinutes(1),
            OptionalLong.of(body.length()),
            Optional.empty());
    assertThat(
            RAW.send(
                    HttpRequest.newBuilder(URI.create(p.url()))
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(200);
  }

  private static String get(ObjectStore platform, String key) throws Exception {
    ObjectStore.Presigned p =
        platform.presign(
            ObjectStore.Method.GET,
            key,
            Duration.ofMinutes(1),
            OptionalLong.empty(),
            Optional.empty());
    HttpResponse<String> res =
        RAW.send(
            HttpRequest.newBuilder(URI.create(p.url())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return res.statusCode() == 200 ? res.body() : "status " + res.statusCode();
  }

  /** Without a bucket, or without nats-server, the kinds answer 503 and say how to turn them on. */
  @Test
  void storageAndQueuesOffAnswer503WithTheWayToTurnThemOn() {
    Map<String, String> off = TestApplications.environment();
    off.remove("S3_ENDPOINT");
    try (Application bare = TestApplications.start(off, ProvisionStepHook.NONE)) {
      HttpJson api = new HttpJson(bare.port());
      for (String route : new String[] {"/storage/new", "/queue/new"}) {
        HttpResponse<String> res = api.post(route, "{\"name\":\"x\"}", anonymous());
        assertThat(res.statusCode()).as(route).isEqualTo(503);
        JsonNode error = JSON.readTree(res.body());
        assertThat(error.get("error").asString()).isEqualTo("service_unavailable");
        assertThat(error.get("agent_action").asString())
            .contains(route.startsWith("/storage") ? "S3_ENDPOINT" : "nats-server");
      }
      HttpResponse<String> presign =
          api.post(
              "/storage/" + ResourceToken.random().text() + "/presign",
              "{\"key\":\"a\",\"method\":\"GET\"}",
              anonymous());
      assertThat(presign.statusCode()).isEqualTo(503);
    }
  }
}
