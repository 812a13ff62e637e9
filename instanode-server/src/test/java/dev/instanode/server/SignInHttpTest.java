package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sign-in by a link mailed through a real SMTP server: one use, 15 minutes, the same answer for an
 * address with or without an account, limited per address; logout ends the session for good; only a
 * session makes API keys; and none of the secrets involved reaches the log.
 */
class SignInHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern LINK_TOKEN = Pattern.compile("token=(mlnk_[A-Za-z0-9_-]{43})");
  private static final Pattern CLI_PAGE_LINK =
      Pattern.compile("(/auth/cli/verify\\?code=[A-Z-]{9}&link=mlnk_[A-Za-z0-9_-]{43})");

  static final Mailbox mail = Mailbox.start();

  @RegisterExtension static final RunningApi api = RunningApi.with("SMTP_URL", mail.smtpUrl());

  @AfterAll
  static void stopMail() {
    mail.close();
  }

  @Test
  void aMailedLinkSignsInOnceAndLogoutEndsTheSession() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String email = team.owner().email();

    HttpResponse<String> started = start(email.toUpperCase());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String token = mail.await(email, "sign-in").find(LINK_TOKEN);

    JsonNode session = json(verify(token), 200);
    assertThat(session.get("user_id").asString()).isEqualTo(team.owner().id().toString());
    assertThat(session.get("role").asString()).isEqualTo("owner");
    Map<String, String> auth = Teams.bearer(session.get("session_token").asString());
    assertThat(json(api.http().get("/api/v1/whoami", auth), 200).get("auth_method").asString())
        .isEqualTo("session");

    HttpResponse<String> reused = verify(token);
    assertThat(reused.statusCode()).isEqualTo(400);
    assertThat(error(reused)).isEqualTo("invalid_link");

    // A session makes keys; the key it made cannot.
    String key =
        json(api.http().post("/api/v1/auth/api-keys", "{\"name\":\"laptop\"}", auth), 201)
            .get("key")
            .asString();
    assertThat(
            error(api.http().post("/api/v1/auth/api-keys", "{\"name\":\"x\"}", Teams.bearer(key))))
        .isEqualTo("forbidden");

    JsonNode out = json(api.http().post("/auth/logout", "", auth), 200);
    assertThat(out.get("revoked").asBoolean()).isTrue();
    assertThat(api.http().get("/api/v1/whoami", auth).statusCode()).isEqualTo(401);
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(key)).statusCode())
        .as("keys made with the session outlive it")
        .isEqualTo(200);
    assertThat(json(api.http().post("/auth/logout", "", Map.of()), 200).get("revoked").asBoolean())
        .isFalse();
    assertThat(auditKinds(team)).contains("auth.login", "auth.logout");
  }

  @Test
  void theMailedLinkOpensAPageWhoseFormSignsIn() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    start(team.owner().email());
    String token = mail.await(team.owner().email(), "sign-in").find(LINK_TOKEN);
    HttpResponse<String> page = api.http().get("/auth/email/verify?token=" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.body()).contains("method=\"post\"").contains(token);
    // Opening it used nothing up: the form signs in.
    HttpResponse<String> signedIn =
        api.http()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + api.port() + "/auth/email/verify"))
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html"));
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.body()).contains("Signed in as " + team.owner().email());
    String session =
        signedIn.body().replaceAll("(?s).*id=\"session\" readonly value=\"([^\"]+)\".*", "$1");
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(session)).statusCode()).isEqualTo(200);
  }

  @Test
  void anAddressWithoutAnAccountGetsTheSameAnswerAndNoMail() {
    String nobody = "nobody-" + UUID.randomUUID() + "@example.com";
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    HttpResponse<String> unknown = start(nobody);
    HttpResponse<String> known = start(team.owner().email());
    assertThat(unknown.statusCode()).isEqualTo(known.statusCode()).isEqualTo(202);
    assertThat(JSON.readTree(unknown.body()).get("message").asString().replace(nobody, "X"))
        .isEqualTo(
            JSON.readTree(known.body())
                .get("message")
                .asString()
                .replace(team.owner().email(), "X"));
    mail.await(team.owner().email(), "sign-in");
    assertThat(mail.all()).noneMatch(m -> m.to().equals(nobody));

    assertThat(error(start("not an address"))).isEqualTo("invalid_email");
    assertThat(error(verify("mlnk_" + "A".repeat(43)))).isEqualTo("invalid_link");
    assertThat(error(verify("anything"))).isEqualTo("invalid_link");
  }

  @Test
  void aLinkOlderThanFifteenMinutesNoLongerSignsIn() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    start(team.owner().email());
    String token = mail.await(team.owner().email(), "sign-in").find(LINK_TOKEN);
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "UPDATE magic_links SET expires_at = now() - interval '1 second'"
                      + " WHERE user_id = ?",
                  team.owner().id()));
    }
    assertThat(error(verify(token))).isEqualTo("invalid_link");
  }

  @Test
  void askingIsLimitedPerAddressFromANetworkAndPerAddress() {
    String email = "limited-" + UUID.randomUUID() + "@example.com";
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      statuses.add(
          api.http()
              .post(
                  "/auth/email/start",
                  body(email),
                  Map.of("Content-Type", "application/json", "X-Forwarded-For", "203.0.113.9"))
              .statusCode());
    }
    assertThat(statuses).containsExactly(202, 202, 202, 202, 202, 429);

    // From other networks the address still has room, up to 20 an hour in all: one network
    // cannot lock its owner out.
    String spread = "spread-" + UUID.randomUUID() + "@example.com";
    List<Integer> fromMany = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      fromMany.add(api.fromManyNetworks().postJson("/auth/email/start", body(spread)).statusCode());
    }
    assertThat(fromMany.subList(0, 20)).containsOnly(202);
    assertThat(fromMany.get(20)).isEqualTo(429);
    HttpResponse<String> limited =
        api.fromManyNetworks().postJson("/auth/email/start", body(spread));
    assertThat(error(limited)).isEqualTo("sign_in_rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void aNetworkAsksForAtMostTwentyLinksAnHourWhateverTheAddresses() {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      statuses.add(fromNetwork("198.51.100.7", "many-" + i + "-" + UUID.randomUUID()).statusCode());
    }
    assertThat(statuses.subList(0, 20)).containsOnly(202);
    assertThat(statuses.get(20)).isEqualTo(429);

    // Another host of the same /24 is the same network; a fresh address does not help.
    HttpResponse<String> sameNetwork = fromNetwork("198.51.100.200", "other-" + UUID.randomUUID());
    assertThat(sameNetwork.statusCode()).isEqualTo(429);
    assertThat(error(sameNetwork)).isEqualTo("sign_in_rate_limited");
    assertThat(sameNetwork.headers().firstValue("Retry-After")).isPresent();
    assertThat(JSON.readTree(sameNetwork.body()).get("message").asString())
        .contains("from this network");

    // Another network is unaffected.
    assertThat(fromNetwork("192.0.2.7", "elsewhere-" + UUID.randomUUID()).statusCode())
        .isEqualTo(202);
  }

  private static HttpResponse<String> fromNetwork(String ip, String localPart) {
    return api.http()
        .post(
            "/auth/email/start",
            body(localPart + "@example.com"),
            Map.of("Content-Type", "application/json", "X-Forwarded-For", ip));
  }

  @Test
  void noSecretOfSigningInReachesTheLog() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    List<String> secrets = new ArrayList<>();
    List<String> lines;
    try (CapturedLog log = new CapturedLog()) {
      start(team.owner().email());
      String token = mail.await(team.owner().email(), "sign-in").find(LINK_TOKEN);
      secrets.add(token);
      String session = json(verify(token), 200).get("session_token").asString();
      secrets.add(session);
      Map<String, String> auth = Teams.bearer(session);
      secrets.add(
          json(api.http().post("/api/v1/auth/api-keys", "{\"name\":\"ci\"}", auth), 201)
              .get("key")
              .asString());
      String invited = "invitee-" + UUID.randomUUID() + "@example.com";
      json(
          api.http()
              .post(
                  "/api/v1/teams/" + team.team().id() + "/invitations",
                  "{\"email\":\"" + invited + "\"}",
                  auth),
          201);
      secrets.add(
          mail.await(invited, "invited")
              .find(Pattern.compile("/api/v1/invitations/([0-9a-f]{64})/accept")));
      String vaultValue = "vault-" + UUID.randomUUID();
      secrets.add(vaultValue);
      api.http()
          .send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + api.port() + "/api/v1/vault/production/API_KEY"))
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + vaultValue + "\"}")),
              auth);
      assertThat(api.http().get("/api/v1/vault/production/API_KEY", auth).body())
          .contains(vaultValue);
      JsonNode device = json(api.http().postJson("/auth/cli", ""), 201);
      secrets.add(device.get("device_code").asString());
      secrets.add(device.get("user_code").asString());
      json(
          api.http()
              .post(
                  "/auth/cli/approve",
                  "{\"user_code\":\"" + device.get("user_code").asString() + "\"}",
                  auth),
          200);
      secrets.add(cliKey(device));
      api.http().post("/auth/logout", "", auth);
      // A refused session is logged as refused, never by its value.
      api.http().get("/api/v1/whoami", auth);
      lines = Awaitility.await().until(log::lines, l -> !l.isEmpty());
    }
    assertNoneLogged(lines, secrets);
  }

  @Test
  void noSecretOfAResourceOrOfACliSignInOnThePageReachesTheLog() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String email = team.owner().email();
    List<String> secrets = new ArrayList<>();
    List<String> lines;
    try (CapturedLog log = new CapturedLog()) {
      JsonNode owned =
          json(
              api.http().post("/db/new", "{\"name\":\"logged\"}", Teams.bearer(team.apiKey())),
              201);
      secrets.addAll(connectionSecrets(owned.get("connection_url").asString()));
      JsonNode anonymous =
          json(
              api.http()
                  .post(
                      "/db/new",
                      "{\"name\":\"anonymous\"}",
                      Map.of("Content-Type", "application/json", "X-Forwarded-For", "192.0.2.77")),
              201);
      secrets.addAll(connectionSecrets(anonymous.get("connection_url").asString()));
      String upgrade = anonymous.get("upgrade_jwt").asString();
      secrets.add(upgrade);
      assertThat(
              api.http()
                  .get("/claim/preview?t=" + URLEncoder.encode(upgrade, StandardCharsets.UTF_8))
                  .statusCode())
          .isEqualTo(200);
      JsonNode claimed =
          json(
              api.http()
                  .postJson(
                      "/claim",
                      "{\"token\":\""
                          + upgrade
                          + "\",\"email\":\"claimer-"
                          + UUID.randomUUID()
                          + "@example.com\"}"),
              201);
      secrets.add(claimed.get("api_key").asString());
      secrets.add(claimed.get("session_token").asString());

      // A CLI sign-in approved on the page, after a link mailed to the address.
      JsonNode device = json(api.http().postJson("/auth/cli", ""), 201);
      String code = device.get("user_code").asString();
      secrets.add(code);
      secrets.add(device.get("device_code").asString());
      assertThat(api.http().get("/auth/cli/verify?code=" + code).statusCode()).isEqualTo(200);
      assertThat(form(Map.of("code", code, "email", email)).statusCode()).isEqualTo(200);
      String link = mail.await(email, "CLI").find(CLI_PAGE_LINK);
      String linkToken = link.substring(link.indexOf("link=") + 5);
      secrets.add(linkToken);
      assertThat(api.http().get(link).statusCode()).isEqualTo(200);
      assertThat(
              form(Map.of("code", code, "expected", code, "link", linkToken, "decision", "approve"))
                  .body())
          .contains("CLI signed in");
      secrets.add(cliKey(device));
      lines = Awaitility.await().until(log::lines, l -> !l.isEmpty());
    }
    assertThat(lines)
        .as("the capture holds each event's MDC")
        .anyMatch(line -> line.contains("provision.ok") && line.contains("{request_id="));
    assertNoneLogged(lines, secrets);
  }

  /** None of {@code secrets} in any line, which holds the event's MDC and key-value pairs too. */
  private static void assertNoneLogged(List<String> lines, List<String> secrets) {
    assertThat(lines).hasSizeGreaterThan(0);
    assertThat(lines)
        .as("the capture holds each event's key-value pairs, after its MDC")
        .anyMatch(line -> line.contains("instanode.access") && line.contains("} method="));
    for (String secret : secrets) {
      assertThat(secret).isNotBlank();
      assertThat(lines).noneMatch(line -> line.contains(secret));
    }
  }

  /** A connection URL and, on its own, the password in it. */
  private static List<String> connectionSecrets(String url) {
    String userInfo = URI.create(url).getRawUserInfo();
    String password = userInfo.substring(userInfo.indexOf(':') + 1);
    assertThat(password).hasSizeGreaterThan(12);
    return List.of(url, password);
  }

  /** The key an approved CLI sign-in hands its device. */
  private static String cliKey(JsonNode device) {
    return json(
            api.http()
                .postJson(
                    "/auth/cli/token",
                    "{\"device_code\":\"" + device.get("device_code").asString() + "\"}"),
            200)
        .get("api_key")
        .asString();
  }

  private static HttpResponse<String> form(Map<String, String> fields) {
    return api.postForm("/auth/cli/verify", fields);
  }

  private static String body(String email) {
    return "{\"email\":\"" + email + "\"}";
  }

  private static HttpResponse<String> start(String email) {
    return api.fromManyNetworks().postJson("/auth/email/start", body(email));
  }

  private static HttpResponse<String> verify(String token) {
    return api.http().postJson("/auth/email/verify", "{\"token\":\"" + token + "\"}");
  }

  private static List<String> auditKinds(TeamBootstrap.Bootstrapped team) {
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      return Awaitility.await()
          .until(
              () ->
                  db.jdbi()
                      .withHandle(h ->
                          h.createQuery("SELECT kind FROM audit_log WHERE team_id = :t")
                              .bind("t", team.team().id().value())
                              .mapTo(String.class)
                              .list()),
              kinds -> kinds.contains("auth.logout"));
    }
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
