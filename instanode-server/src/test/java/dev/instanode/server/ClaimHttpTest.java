package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ClaimHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void anAnonymousProvisionCanBeClaimedIntoANewFreeTeamOnce() throws Exception {
    String network = "203.0.113.10";
    JsonNode made = provision(network);
    String jwt = made.get("upgrade_jwt").asString();
    assertThat(made.get("upgrade").asString()).contains("/claim/preview?t=");
    assertThat(made.get("note").asString()).contains("Claim it to keep it: http");
    String expiresBefore = made.get("expires_at").asString();

    JsonNode preview = JSON.readTree(api.http().get("/claim/preview?t=" + enc(jwt)).body());
    assertThat(preview.get("token_valid").asBoolean()).isTrue();
    assertThat(preview.get("resources").get(0).get("token").asString())
        .isEqualTo(made.get("token").asString());

    BadInputHttpTest.assertEnvelope(claim(jwt, "not-an-email"), 400, "invalid_email");
    BadInputHttpTest.assertEnvelope(claim(jwt, "nul\\u0000@example.com"), 400, "invalid_email");
    BadInputHttpTest.assertEnvelope(
        api.http()
            .postJson(
                "/claim",
                "{\"token\":\""
                    + jwt
                    + "\",\"email\":\"a@example.com\",\"team_name\":\"x\\u202ey\"}"),
        400,
        "invalid_name");
    BadInputHttpTest.assertEnvelope(claim("garbage", "a@example.com"), 400, "invalid_token");

    HttpResponse<String> res = claim(jwt, "Owner@Example.com");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    JsonNode claimed = JSON.readTree(res.body());
    String key = claimed.get("api_key").asString();
    assertThat(key).startsWith("ink_");
    assertThat(claimed.get("session_token").asString()).isNotBlank();

    JsonNode me =
        JSON.readTree(
            api.http()
                .get("/auth/me", Teams.bearer(claimed.get("session_token").asString()))
                .body());
    assertThat(me.get("email").asString()).isEqualTo("owner@example.com");
    assertThat(me.get("tier").asString()).isEqualTo("free");
    assertThat(me.get("team_id").asString()).isEqualTo(claimed.get("team_id").asString());

    JsonNode item =
        JSON.readTree(getAuthed("/api/v1/resources/" + made.get("token").asString(), key).body())
            .get("item");
    assertThat(item.get("tier").asString()).isEqualTo("free");
    assertThat(item.get("expires_at").asString())
        .as("free keeps its expiry")
        .isEqualTo(expiresBefore);

    BadInputHttpTest.assertEnvelope(claim(jwt, "someone@example.com"), 409, "already_claimed");
    BadInputHttpTest.assertEnvelope(
        api.http().get("/claim/preview?t=" + enc(jwt)), 409, "already_claimed");
  }

  @Test
  void anExistingAccountIsRefusedBeforeTheTokenIsConsumed() {
    JsonNode first = provision("198.51.100.20");
    assertThat(claim(first.get("upgrade_jwt").asString(), "taken@example.com").statusCode())
        .isEqualTo(201);

    String second = provision("192.0.2.30").get("upgrade_jwt").asString();
    BadInputHttpTest.assertEnvelope(claim(second, "taken@example.com"), 409, "account_exists");
    assertThat(claim(second, "fresh@example.com").statusCode())
        .as("the refused attempt did not burn the token")
        .isEqualTo(201);
  }

  @Test
  void ofTwoConcurrentClaimsExactlyOneWins() throws Exception {
    String jwt = provision("203.0.114.40").get("upgrade_jwt").asString();
    List<Callable<HttpResponse<String>>> racers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String email = "racer" + i + "@example.com";
      racers.add(() -> claim(jwt, email));
    }
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (Future<HttpResponse<String>> f : pool.invokeAll(racers)) {
        statuses.add(f.get().statusCode());
      }
    }
    assertThat(statuses).containsExactlyInAnyOrder(201, 409);
    assertThat(
            AnonymousGateHttpTest.count(
                api.env(), "SELECT count(*) FROM teams WHERE name LIKE 'racer%'"))
        .isEqualTo(1);
  }

  private static JsonNode provision(String network) {
    HttpResponse<String> res =
        api.http()
            .post(
                "/db/new",
                "{\"name\":\"claimable\"}",
                Map.of("Content-Type", "application/json", "X-Forwarded-For", network));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static HttpResponse<String> claim(String jwt, String email) {
    return api.http().postJson("/claim", "{\"token\":\"" + jwt + "\",\"email\":\"" + email + "\"}");
  }

  private static HttpResponse<String> getAuthed(String path, String key) {
    return api.http().get(path, Teams.bearer(key));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
