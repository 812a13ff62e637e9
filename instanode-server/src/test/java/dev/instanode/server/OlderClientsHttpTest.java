package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gen-1 routes behave as the clients already in the field expect. */
class OlderClientsHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension
  static final RunningApi api =
      RunningApi.with("UPGRADE_URL", "https://billing.example.com/upgrade");

  @Test
  void meTokenAnswersExpiresInAsSecondsAndTheKeyStopsWorkingThen() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    HttpResponse<String> res =
        api.fromManyNetworks().get("/api/me/token", Teams.bearer(Teams.session(api.env(), team)));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("expires_in").isIntegralNumber()).as(res.body()).isTrue();
    assertThat(body.get("expires_in").asLong()).isEqualTo(Duration.ofDays(90).toSeconds());
    assertThat(Instant.parse(body.get("expires_at").asString()))
        .isBetween(
            Instant.now().plus(Duration.ofDays(89)), Instant.now().plus(Duration.ofDays(91)));
    String key = body.get("token").asString();
    assertThat(api.fromManyNetworks().get("/auth/me", Teams.bearer(key)).statusCode())
        .isEqualTo(200);

    AnonymousGateHttpTest.count(
        api.env(),
        "WITH moved AS (UPDATE api_keys SET expires_at = now() - interval '1 second'"
            + " WHERE expires_at IS NOT NULL AND team_id = '"
            + team.team().id()
            + "' RETURNING 1) SELECT count(*) FROM moved");
    BadInputHttpTest.assertEnvelope(
        api.fromManyNetworks().get("/auth/me", Teams.bearer(key)), 401, "unauthorized");
    assertThat(api.fromManyNetworks().get("/auth/me", Teams.bearer(team.apiKey())).statusCode())
        .as("keys made by name do not expire")
        .isEqualTo(200);
  }

  @Test
  void claimingAResourceTheTeamAlreadyOwnsAnswersTheSamePayload() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    String token = anonymousToken();
    HttpResponse<String> first = legacyClaim(team, token);
    HttpResponse<String> again = legacyClaim(team, token);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(JSON.readTree(again.body())).isEqualTo(JSON.readTree(first.body()));
    assertThat(
            AnonymousGateHttpTest.count(
                api.env(),
                "SELECT count(*) FROM audit_log WHERE kind = 'resource.claimed' AND team_id = '"
                    + team.team().id()
                    + "'"))
        .isEqualTo(1);

    TeamBootstrap.Bootstrapped other = Teams.create(api.env(), Tier.HOBBY);
    BadInputHttpTest.assertEnvelope(legacyClaim(other, token), 404, "not_found");
  }

  @Test
  void aFreeTeamCannotDeleteOnEitherRouteAndIsToldWhereToUpgrade() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.FREE);
    JsonNode made = JSON.readTree(provision(team).body());
    String token = made.get("token").asString();
    for (String path : new String[] {"/api/v1/resources/", "/api/me/resources/"}) {
      HttpResponse<String> res =
          api.fromManyNetworks().delete(path + token, Teams.bearer(team.apiKey()));
      BadInputHttpTest.assertEnvelope(res, 403, "paid_tier_only");
      assertThat(JSON.readTree(res.body()).get("upgrade_url").asString())
          .isEqualTo("https://billing.example.com/upgrade");
    }
    assertThat(
            AnonymousGateHttpTest.scalar(
                api.env(), "SELECT status FROM resources WHERE token = '" + token + "'"))
        .isEqualTo("active");
  }

  @Test
  void aFreeTeamsOwnResourcesExpireByThePlanTtlAndTheReplySaysSo() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.FREE);
    HttpResponse<String> res = provision(team);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    JsonNode made = JSON.readTree(res.body());
    assertThat(made.get("tier").asString()).isEqualTo("free");
    assertThat(Instant.parse(made.get("expires_at").asString()))
        .isBetween(
            Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
    assertThat(made.at("/limits/expires_in").asString()).isEqualTo("24h");
    assertThat(made.get("note").asString())
        .contains("Works for 24h")
        .contains("https://billing.example.com/upgrade");

    TeamBootstrap.Bootstrapped paying = Teams.create(api.env(), Tier.HOBBY);
    JsonNode kept = JSON.readTree(provision(paying).body());
    assertThat(kept.has("expires_at")).isFalse();
  }

  @Test
  void aPreviewLinkThatDoesNotVerifyIs401() {
    JsonNode made =
        JSON.readTree(api.fromManyNetworks().postJson("/db/new", "{\"name\":\"preview\"}").body());
    String jwt = made.get("upgrade_jwt").asString();
    String tampered = jwt.substring(0, jwt.length() - 4) + (jwt.endsWith("AAAA") ? "BBBB" : "AAAA");
    HttpResponse<String> res =
        api.fromManyNetworks()
            .get("/claim/preview?t=" + URLEncoder.encode(tampered, StandardCharsets.UTF_8));
    BadInputHttpTest.assertEnvelope(res, 401, "invalid_token");
    assertThat(res.headers().firstValue("WWW-Authenticate")).isPresent();
    BadInputHttpTest.assertEnvelope(
        api.fromManyNetworks().get("/claim/preview?t=not.a.jwt"), 401, "invalid_token");
    assertThat(
            api.fromManyNetworks()
                .get("/claim/preview?t=" + URLEncoder.encode(jwt, StandardCharsets.UTF_8))
                .statusCode())
        .isEqualTo(200);
  }

  private static String anonymousToken() {
    return JSON.readTree(api.fromManyNetworks().postJson("/db/new", "{\"name\":\"adopt\"}").body())
        .get("token")
        .asString();
  }

  private static HttpResponse<String> legacyClaim(TeamBootstrap.Bootstrapped team, String token) {
    return api.fromManyNetworks()
        .post("/api/me/claim", "{\"token\":\"" + token + "\"}", Teams.bearer(team.apiKey()));
  }

  private static HttpResponse<String> provision(TeamBootstrap.Bootstrapped team) {
    return api.fromManyNetworks()
        .post("/db/new", "{\"name\":\"mine\"}", Teams.bearer(team.apiKey()));
  }
}
