package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CLI sign-in by the device flow: every state a poll can answer, approval on the server-rendered
 * page after an email link (read from a real SMTP server) or with a session, and a key made once.
 */
class DeviceFlowHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern PAGE_LINK =
      Pattern.compile("(/auth/cli/verify\\?code=[A-Z-]{9}&link=mlnk_[A-Za-z0-9_-]{43})");

  static final Mailbox mail = Mailbox.start();

  @RegisterExtension static final RunningApi api = RunningApi.with("SMTP_URL", mail.smtpUrl());

  @AfterAll
  static void stopMail() {
    mail.close();
  }

  @Test
  void pollingAnswersPendingThenSlowDownAndAnUnknownCodeIsExpired() {
    JsonNode started = json(api.http().postJson("/auth/cli", ""), 201);
    assertThat(started.get("user_code").asString()).matches("[A-Z]{4}-[A-Z]{4}");
    assertThat(started.get("interval").asInt()).isEqualTo(5);
    assertThat(started.get("verification_url").asString()).endsWith("/auth/cli/verify");
    String device = started.get("device_code").asString();

    HttpResponse<String> pending = poll(device);
    assertThat(pending.statusCode()).isEqualTo(400);
    assertThat(error(pending)).isEqualTo("authorization_pending");
    HttpResponse<String> tooSoon = poll(device);
    assertThat(error(tooSoon)).isEqualTo("slow_down");
    assertThat(JSON.readTree(tooSoon.body()).get("retry_after_seconds").asInt()).isEqualTo(10);
    assertThat(error(poll("not-a-device-code"))).isEqualTo("expired_token");
  }

  @Test
  void aCodeWhoseTenMinutesLapsedAnswersExpiredTokenAndCannotBeApproved() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode started = json(api.http().postJson("/auth/cli", ""), 201);
    String device = started.get("device_code").asString();
    String userCode = started.get("user_code").asString();
    String deviceKey = "cli:device:" + ApiKeys.hash(device);
    String userKey = "cli:user:" + userCode;
    try (RedisClient client = RedisClient.create(api.env().get("REDIS_URL"));
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      // Both halves live for the flow's 10 minutes, and a poll does not extend them.
      assertThat(error(poll(device))).isEqualTo("authorization_pending");
      assertThat(redis.ttl(deviceKey)).isBetween(590L, 600L);
      assertThat(redis.ttl(userKey)).isBetween(590L, 600L);
      // The end of that lifetime brought forward: Redis lapses the code itself.
      redis.pexpire(deviceKey, 50);
      redis.pexpire(userKey, 50);
      Awaitility.await().until(() -> redis.exists(deviceKey, userKey) == 0);
    }
    assertThat(error(poll(device))).isEqualTo("expired_token");
    assertThat(
            error(
                api.http()
                    .post(
                        "/auth/cli/approve",
                        "{\"user_code\":\"" + userCode + "\"}",
                        Teams.bearer(Teams.session(api.env(), team)))))
        .isEqualTo("not_found");
    assertThat(error(poll(device))).as("nothing was recreated").isEqualTo("expired_token");
  }

  @Test
  void aPersonApprovesOnThePageAfterAnEmailLinkAndTheCliGetsAKeyOnce() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode started = json(api.http().postJson("/auth/cli", ""), 201);
    String code = started.get("user_code").asString();

    HttpResponse<String> page =
        api.http().get("/auth/cli/verify?code=" + code.toLowerCase().replace("-", ""));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("default-src 'none'");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.body()).contains("value=\"" + code + "\"").contains("<label for=\"email\">");

    HttpResponse<String> sent = form(Map.of("code", code, "email", team.owner().email()));
    assertThat(sent.statusCode()).isEqualTo(200);
    assertThat(sent.body()).contains("Check your email");
    String link = mail.await(team.owner().email(), "CLI").find(PAGE_LINK);

    // Opening the link (as a mail scanner would) changes nothing: approving is a form post.
    String decide = api.http().get(link).body();
    assertThat(decide).contains("Approve").contains("Type the code");
    assertThat(decide).as("the code is typed, never read off the page").doesNotContain(">" + code);
    assertThat(api.http().get(link).body()).contains("Approve");
    String linkToken = link.substring(link.indexOf("link=") + 5);
    HttpResponse<String> wrongCode =
        form(
            Map.of(
                "code", "BCDF-BCDF", "expected", code, "link", linkToken, "decision", "approve"));
    assertThat(wrongCode.statusCode()).as("a sign-in someone else started").isEqualTo(404);
    HttpResponse<String> approved =
        form(Map.of("code", code, "expected", code, "link", linkToken, "decision", "approve"));
    assertThat(approved.body()).contains("CLI signed in");
    HttpResponse<String> again =
        form(Map.of("code", code, "expected", code, "link", linkToken, "decision", "approve"));
    assertThat(again.statusCode()).as("a link approves once").isEqualTo(400);
    assertThat(again.body()).contains("That did not work");

    JsonNode token = json(poll(started.get("device_code").asString()), 200);
    String key = token.get("api_key").asString();
    assertThat(token.get("user_id").asString()).isEqualTo(team.owner().id().toString());
    JsonNode whoami = json(api.http().get("/api/v1/whoami", Teams.bearer(key)), 200);
    assertThat(whoami.get("auth_method").asString()).isEqualTo("api_key");
    assertThat(whoami.get("role").asString()).isEqualTo("owner");
    assertThat(error(poll(started.get("device_code").asString())))
        .as("the key is handed out once")
        .isEqualTo("expired_token");
  }

  @Test
  void theDevicesNameIsShownForApprovalAndNamesItsKey() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Map<String, String> session = Teams.bearer(Teams.session(api.env(), team));
    JsonNode started =
        json(api.http().postJson("/auth/cli", "{\"device_name\":\"<b>alice</b>-laptop\"}"), 201);
    String code = started.get("user_code").asString();
    String decide = api.http().get("/auth/cli/verify?code=" + code + "&link=x").body();
    assertThat(decide)
        .contains("calls <strong>&lt;b&gt;alice&lt;/b&gt;-laptop</strong>")
        .doesNotContain("<b>alice");
    json(api.http().post("/auth/cli/approve", "{\"user_code\":\"" + code + "\"}", session), 200);
    json(poll(started.get("device_code").asString()), 200);
    JsonNode keys = json(api.http().get("/api/v1/auth/api-keys", session), 200);
    assertThat(keys.toString()).contains("\"name\":\"cli: <b>alice</b>-laptop\"");

    assertThat(error(api.http().postJson("/auth/cli", "{\"device_name\":\"a\\u0000b\"}")))
        .isEqualTo("invalid_name");
    assertThat(
            error(api.http().postJson("/auth/cli", "{\"device_name\":\"" + "x".repeat(65) + "\"}")))
        .isEqualTo("invalid_name");
  }

  @Test
  void aSessionApprovesOrDeniesThroughTheApiAndAKeyCannot() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Map<String, String> session = Teams.bearer(Teams.session(api.env(), team));
    JsonNode denied = json(api.http().postJson("/auth/cli", ""), 201);
    json(
        api.http()
            .post(
                "/auth/cli/approve",
                "{\"user_code\":\"" + denied.get("user_code").asString() + "\",\"approve\":false}",
                session),
        200);
    assertThat(error(poll(denied.get("device_code").asString()))).isEqualTo("access_denied");

    JsonNode byKey = json(api.http().postJson("/auth/cli", ""), 201);
    HttpResponse<String> refused =
        api.http()
            .post(
                "/auth/cli/approve",
                "{\"user_code\":\"" + byKey.get("user_code").asString() + "\"}",
                Teams.bearer(team.apiKey()));
    assertThat(error(refused)).isEqualTo("forbidden");
    assertThat(
            error(api.http().post("/auth/cli/approve", "{\"user_code\":\"BCDF-GHJK\"}", session)))
        .isEqualTo("not_found");

    json(
        api.http()
            .post(
                "/auth/cli/approve",
                "{\"user_code\":\"" + byKey.get("user_code").asString() + "\"}",
                session),
        200);
    assertThat(json(poll(byKey.get("device_code").asString()), 200).get("api_key").asString())
        .startsWith("ink_");
  }

  @Test
  void aViewerCannotApproveACliKeyOnThePage() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String viewerKey = Teams.memberKey(api.env(), team.team().id(), TeamRole.VIEWER);
    String viewer =
        json(api.http().get("/api/v1/whoami", Teams.bearer(viewerKey)), 200)
            .get("email")
            .asString();
    String code = json(api.http().postJson("/auth/cli", ""), 201).get("user_code").asString();
    form(Map.of("code", code, "email", viewer));
    String link = mail.await(viewer, "CLI").find(PAGE_LINK);
    HttpResponse<String> refused =
        form(
            Map.of(
                "code",
                code,
                "expected",
                code,
                "link",
                link.substring(link.indexOf("link=") + 5),
                "decision",
                "approve"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("viewer");
  }

  private static HttpResponse<String> poll(String device) {
    return api.http().postJson("/auth/cli/token", "{\"device_code\":\"" + device + "\"}");
  }

  private static HttpResponse<String> form(Map<String, String> fields) {
    return api.postForm("/auth/cli/verify", fields);
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
