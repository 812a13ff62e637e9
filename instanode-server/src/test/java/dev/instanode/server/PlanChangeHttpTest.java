package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.api.plan.PlanHandler;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.HmacJwt;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PlanChangeHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String INTERNAL = "i".repeat(40);

  @Test
  void anUpgradeClearsExpiryElevatesResourcesAndQueuesOnePropagation() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("INTERNAL_JWT_SECRET", INTERNAL);
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.FREE);
      String token = claimAnonymous(http, team);
      assertThat(
              scalar(
                  env,
                  "SELECT expires_at IS NOT NULL FROM resources WHERE token = '" + token + "'"))
          .isEqualTo("t");

      HttpResponse<String> res = change(http, team, "pro", internalToken(INTERNAL));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      assertThat(JSON.readTree(res.body()).get("resources_elevated").asInt()).isEqualTo(1);
      assertThat(
              scalar(
                  env,
                  "SELECT tier || ' ' || (expires_at IS NULL) FROM resources WHERE token = '"
                      + token
                      + "'"))
          .isEqualTo("pro true");
      assertThat(scalar(env, "SELECT plan_tier FROM teams WHERE id = '" + team.team().id() + "'"))
          .isEqualTo("pro");
      assertThat(
              scalar(
                  env,
                  "SELECT count(*) || ' ' || min(kind) || ' ' || min(target_tier) FROM pending_propagations WHERE team_id = '"
                      + team.team().id()
                      + "'"))
          .isEqualTo("1 tier_elevation pro");
    }
  }

  @Test
  void aDowngradeChangesNoResourceAndQueuesNothing() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("INTERNAL_JWT_SECRET", INTERNAL);
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.PRO);
      HttpResponse<String> made =
          http.post("/db/new", "{\"name\":\"paid\"}", Teams.bearer(team.apiKey()));
      String token = JSON.readTree(made.body()).get("token").asString();

      assertThat(change(http, team, "hobby", internalToken(INTERNAL)).statusCode()).isEqualTo(200);

      assertThat(scalar(env, "SELECT tier FROM resources WHERE token = '" + token + "'"))
          .isEqualTo("pro");
      assertThat(scalar(env, "SELECT plan_tier FROM teams WHERE id = '" + team.team().id() + "'"))
          .isEqualTo("hobby");
      assertThat(scalar(env, "SELECT count(*) FROM pending_propagations")).isEqualTo("0");
    }
  }

  @Test
  void aPayingTeamThatClaimsAnAnonymousResourceKeepsItForGood() throws Exception {
    Map<String, String> env = TestApplications.environment();
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.PRO);
      String token = claimAnonymous(http, team);
      // Free would expire, and the worker would then drop a paying customer's database.
      assertThat(
              scalar(
                  env,
                  "SELECT tier || ' ' || (expires_at IS NULL) FROM resources WHERE token = '"
                      + token
                      + "'"))
          .isEqualTo("pro true");
      assertThat(
              scalar(
                  env,
                  "SELECT count(*) || ' ' || min(target_tier) FROM pending_propagations WHERE team_id = '"
                      + team.team().id()
                      + "'"))
          .as("its limits are pushed to the paid tier")
          .isEqualTo("1 pro");
    }
  }

  @Test
  void internalCallsFailClosed() throws Exception {
    Map<String, String> env = TestApplications.environment();
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.FREE);
      BadInputHttpTest.assertEnvelope(
          change(http, team, "pro", internalToken(INTERNAL)), 401, "unauthorized");
    }
    env = TestApplications.environment();
    env.put("INTERNAL_JWT_SECRET", INTERNAL);
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpJson http = new HttpJson(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.FREE);
      BadInputHttpTest.assertEnvelope(
          change(http, team, "pro", internalToken("x".repeat(40))), 401, "unauthorized");
      BadInputHttpTest.assertEnvelope(
          change(http, team, "pro", team.apiKey()), 401, "unauthorized");
      BadInputHttpTest.assertEnvelope(
          change(http, team, "platinum", internalToken(INTERNAL)), 400, "invalid_tier");
      assertThat(scalar(env, "SELECT plan_tier FROM teams WHERE id = '" + team.team().id() + "'"))
          .isEqualTo("free");
    }
  }

  private static String claimAnonymous(HttpJson http, TeamBootstrap.Bootstrapped team) {
    HttpResponse<String> anonymous =
        http.post(
            "/db/new",
            "{\"name\":\"trial\"}",
            Map.of("Content-Type", "application/json", "X-Forwarded-For", "192.0.2.99"));
    String token = JSON.readTree(anonymous.body()).get("token").asString();
    assertThat(
            http.post("/api/me/claim", "{\"token\":\"" + token + "\"}", Teams.bearer(team.apiKey()))
                .statusCode())
        .isEqualTo(200);
    return token;
  }

  private static HttpResponse<String> change(
      HttpJson http, TeamBootstrap.Bootstrapped team, String tier, String bearer) {
    return http.post(
        "/internal/teams/" + team.team().id() + "/plan",
        "{\"tier\":\"" + tier + "\"}",
        Teams.bearer(bearer));
  }

  static String internalToken(String secret) {
    return new HmacJwt(secret, Clock.systemUTC())
        .sign(
            new JWTClaimsSet.Builder().subject("billing").audience(PlanHandler.AUDIENCE),
            Duration.ofMinutes(5));
  }

  private static String scalar(Map<String, String> env, String sql) throws Exception {
    try (var c = dev.instanode.testkit.TestPostgres.connect(TestApplications.platformUrl(env));
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
