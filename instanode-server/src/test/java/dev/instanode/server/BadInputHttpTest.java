package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.RawHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every bad input gets its documented 4xx envelope, never a 500, and creates nothing. */
class BadInputHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static Application app;
  private static HttpJson http;
  private static Map<String, String> env;

  @BeforeAll
  static void start() {
    env = TestApplications.environment();
    app = TestApplications.start(env, dev.instanode.provisioner.ProvisionStepHook.NONE);
    http = new HttpJson(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static Stream<Arguments> badBodies() {
    String json = "application/json";
    return Stream.of(
        Arguments.of("{}", json, 400, "name_required"),
        Arguments.of("{\"name\":\"\"}", json, 400, "name_required"),
        Arguments.of("", json, 400, "name_required"),
        Arguments.of("{\"name\":\"bad;name\"}", json, 400, "invalid_name"),
        Arguments.of("{\"name\":\"-leading\"}", json, 400, "invalid_name"),
        Arguments.of("{\"name\":42}", json, 400, "invalid_name"),
        Arguments.of("{\"name\":\"" + "x".repeat(65) + "\"}", json, 400, "invalid_name"),
        Arguments.of("{\"name\":\"ok\",\"env\":\"Prod\"}", json, 400, "invalid_env"),
        Arguments.of("{\"name\":\"ok\",\"env\":7}", json, 400, "invalid_env"),
        Arguments.of("{\"name\":", json, 400, "invalid_body"),
        Arguments.of("[1,2]", json, 400, "invalid_body"),
        Arguments.of("\"just a string\"", json, 400, "invalid_body"),
        Arguments.of("name=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        Arguments.of("{\"name\":\"x\"}", "text/plain", 415, "unsupported_media_type"));
  }

  @ParameterizedTest(name = "{3} for body {0} as {1}")
  @MethodSource("badBodies")
  void badBodiesGetTheirDocumentedEnvelope(
      String body, String contentType, int status, String code) {
    HttpResponse<String> res = http.post("/db/new", body, Map.of("Content-Type", contentType));
    assertEnvelope(res, status, code);
  }

  @Test
  void aBodyOverOneMebibyteIs413() {
    String big = "{\"name\":\"x\",\"pad\":\"" + "a".repeat(1024 * 1024) + "\"}";
    assertEnvelope(http.postJson("/db/new", big), 413, "payload_too_large");
  }

  @Test
  void aStreamedBodyOverOneMebibyteIs413() {
    // ofInputStream sends no Content-Length: the server must count the bytes itself.
    byte[] big = ("{\"name\":\"x\",\"pad\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}").getBytes();
    HttpRequest.BodyPublisher streamed =
        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big));
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/db/new"))
                .POST(streamed),
            Map.of("Content-Type", "application/json"));
    assertEnvelope(res, 413, "payload_too_large");
  }

  @Test
  void unknownRoutesAndMethodsGetEnvelopes() {
    assertEnvelope(http.get("/nope"), 404, "not_found");
    assertEnvelope(http.get("/db/new"), 405, "method_not_allowed");
  }

  @ParameterizedTest(name = "{0} with charset {1}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "/db/new|ebcdic",
        "/cache/new|ebcdic",
        "/claim|ebcdic",
        "/db/new|latin1",
        "/db/new|\"==\"",
        "/api/v1/auth/api-keys|ebcdic",
        "/api/me/claim|ebcdic",
        "/internal/teams/00000000-0000-0000-0000-000000000000/plan|ebcdic"
      })
  void aBodyInACharsetOtherThanUtf8Is415(String path, String charset) {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    HttpResponse<String> res =
        http.post(
            path,
            "{\"name\":\"x\"}",
            Map.of(
                "Content-Type",
                "application/json; charset=" + charset,
                "Authorization",
                "Bearer " + team.apiKey()));
    assertEnvelope(res, 415, "unsupported_media_type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"utf-8", "UTF-8", "\"utf-8\"", "utf8"})
  void utf8MayBeNamed(String charset) {
    HttpResponse<String> res =
        HttpJson.fromManyNetworks(app.port())
            .post(
                "/db/new",
                "{\"name\":\"charset\"}",
                Map.of("Content-Type", "application/json; charset=" + charset));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%u2215", "%zz", "abc%", "abc%4", "%7f", "%01"})
  void aMalformedEscapeInAPathSegmentIs400(String segment) {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    RawHttp.Response res =
        new RawHttp(app.port())
            .exchange(
                "GET /api/v1/resources/"
                    + segment
                    + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                    + team.apiKey()
                    + "\r\n\r\n");
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(JSON.readTree(res.body()).get("error").asString())
        .isIn("invalid_path", "bad_request");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {"env=%00|invalid_query", "env=%zz|invalid_query", "env=Prod|invalid_env"})
  void aBadListFilterIs400(String query, String code) {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    RawHttp.Response res =
        new RawHttp(app.port())
            .exchange(
                "GET /api/v1/resources?"
                    + query
                    + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                    + team.apiKey()
                    + "\r\n\r\n");
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo(code);
  }

  @Test
  void aTokenThatIsNotAUuidIsNotFound() {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    assertEnvelope(
        http.get("/api/v1/resources/families", Teams.bearer(team.apiKey())), 404, "not_found");
  }

  static Stream<Arguments> badKeyNames() {
    return Stream.of(
        Arguments.of("nul\\u0000byte", "invalid_name"),
        Arguments.of("bell\\u0007", "invalid_name"),
        Arguments.of("rtl\\u202eyek-ipa", "invalid_name"),
        Arguments.of("zero\\u200bwidth", "invalid_name"),
        Arguments.of("lone\\ud800", "invalid_name"),
        Arguments.of("x".repeat(65), "invalid_name"),
        Arguments.of("", "name_required"),
        Arguments.of("   ", "name_required"));
  }

  @ParameterizedTest(name = "{1} for {0}")
  @MethodSource("badKeyNames")
  void anApiKeyNameWithControlOrInvisibleCharactersIs400AndLogsNothing(
      String jsonName, String code) {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    try (CapturedLog log = new CapturedLog()) {
      assertEnvelope(
          http.post(
              "/api/v1/auth/api-keys",
              "{\"name\":\"" + jsonName + "\"}",
              Teams.bearer(Teams.session(env, team))),
          400,
          code);
      assertThat(log.lines()).noneMatch(l -> l.contains("api_keys") || l.contains("key_hash"));
      assertThat(log.errors()).isEmpty();
    }
  }

  @Test
  void anApiKeyNameMayBeAnyScriptAndIsStoredWithoutSurroundingSpaces() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    HttpResponse<String> res =
        http.post(
            "/api/v1/auth/api-keys",
            "{\"name\":\"  déploiement 👩\u200d💻  \"}",
            Teams.bearer(Teams.session(env, team)));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    assertThat(
            AnonymousGateHttpTest.scalar(
                env,
                "SELECT name FROM api_keys WHERE team_id = '"
                    + team.team().id()
                    + "'"
                    + " AND name LIKE 'd%'"))
        .isEqualTo("déploiement 👩\u200d💻");
  }

  @Test
  void badInputCreatesNoRow() {
    long before = count();
    http.postJson("/db/new", "{\"name\":\"bad;name\"}");
    http.post(
        "/db/new", "{\"name\":\"x\"}", Map.of("Content-Type", "application/json; charset=ebcdic"));
    assertThat(count()).isEqualTo(before);
  }

  private static long count() {
    try (var c = dev.instanode.testkit.TestPostgres.connect(TestApplications.platformUrl(env));
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM resources")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertEnvelope(HttpResponse<String> res, int status, String code) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("ok").asBoolean()).isFalse();
    assertThat(body.get("error").asString()).isEqualTo(code);
    assertThat(body.get("message").asString()).isNotBlank();
    assertThat(body.get("agent_action").asString()).startsWith("Tell the user");
    assertThat(body.get("request_id").asString()).isNotBlank();
    assertThat(body.has("retry_after_seconds")).isTrue();
    assertThat(res.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
