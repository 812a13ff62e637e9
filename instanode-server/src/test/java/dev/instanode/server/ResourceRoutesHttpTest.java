package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResourceRoutesHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void authenticatedProvisioningUsesTheTeamsTierAndNeverExpires() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode made = provision(team.apiKey(), "pro-db");
    assertThat(made.get("tier").asString()).isEqualTo("pro");
    assertThat(made.has("expires_at")).isFalse();
    assertThat(made.has("upgrade_jwt")).isFalse();
    assertThat(made.at("/limits/connections").asInt()).isEqualTo(20);
  }

  @Test
  void listsAreKeysetPaginatedAndReachEveryResource() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      made.add(provision(team.apiKey(), "p" + i).get("token").asString());
    }
    Set<String> seen = new HashSet<>();
    String cursor = "";
    int pages = 0;
    do {
      JsonNode page =
          JSON.readTree(
              api.http()
                  .get("/api/v1/resources?limit=2" + cursor, Teams.bearer(team.apiKey()))
                  .body());
      assertThat(page.get("total").asInt()).isEqualTo(5);
      page.get("items")
          .forEach(i -> {
            seen.add(i.get("token").asString());
            assertThat(i.has("connection_url")).isFalse();
          });
      cursor =
          page.get("next_cursor").isNull() ? null : "&cursor=" + page.get("next_cursor").asString();
      pages++;
    } while (cursor != null);
    assertThat(seen).isEqualTo(made);
    assertThat(pages).isEqualTo(3);
    BadInputHttpTest.assertEnvelope(
        api.http().get("/api/v1/resources?cursor=bogus", Teams.bearer(team.apiKey())),
        400,
        "invalid_query");
    BadInputHttpTest.assertEnvelope(
        api.http().get("/api/v1/resources?limit=0", Teams.bearer(team.apiKey())),
        400,
        "invalid_query");
  }

  @Test
  void getCredentialsAndDeleteWorkForTheOwnerAndAre404ForAnyoneElse() throws Exception {
    TeamBootstrap.Bootstrapped owner = Teams.create(api.env(), Tier.HOBBY);
    TeamBootstrap.Bootstrapped other = Teams.create(api.env(), Tier.HOBBY);
    JsonNode made = provision(owner.apiKey(), "mine");
    String token = made.get("token").asString();

    JsonNode got =
        JSON.readTree(
            api.http().get("/api/v1/resources/" + token, Teams.bearer(owner.apiKey())).body());
    assertThat(got.get("item")).isEqualTo(got.get("resource"));
    JsonNode creds =
        JSON.readTree(
            api.http()
                .get("/api/v1/resources/" + token + "/credentials", Teams.bearer(owner.apiKey()))
                .body());
    assertThat(creds.get("connection_url").asString())
        .isEqualTo(made.get("connection_url").asString());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            AnonymousGateHttpTest.count(
                    api.env(),
                    "SELECT count(*) FROM audit_log WHERE kind = 'connection_url.decrypted'")
                >= 1);

    for (String path :
        List.of(
            "/api/v1/resources/" + token,
            "/api/v1/resources/" + token + "/credentials",
            "/api/v1/resources/not-a-token")) {
      BadInputHttpTest.assertEnvelope(
          api.http().get(path, Teams.bearer(other.apiKey())), 404, "not_found");
    }
    BadInputHttpTest.assertEnvelope(
        api.http().delete("/api/v1/resources/" + token, Teams.bearer(other.apiKey())),
        404,
        "not_found");
    BadInputHttpTest.assertEnvelope(
        api.http().get("/api/v1/resources/" + token, Map.of()), 401, "unauthorized");

    HttpResponse<String> deleted =
        api.http().delete("/api/v1/resources/" + token, Teams.bearer(owner.apiKey()));
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(deleted.body()).get("message").asString())
        .isEqualTo("Resource deleted");
    assertThat(adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + token + "'"))
        .isFalse();
    assertThat(adminExists("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + token + "'")).isFalse();
    BadInputHttpTest.assertEnvelope(
        api.http().delete("/api/v1/resources/" + token, Teams.bearer(owner.apiKey())),
        404,
        "not_found");
  }

  @Test
  void rotatingCredentialsKillsTheOldPasswordAtOnce() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    JsonNode made = provision(team.apiKey(), "rotate-me");
    String token = made.get("token").asString();
    dev.instanode.core.PostgresUrl old =
        dev.instanode.core.PostgresUrl.parse(made.get("connection_url").asString());
    Connection open = TestPostgres.connect(old);

    HttpResponse<String> res =
        api.http()
            .post(
                "/api/v1/resources/" + token + "/rotate-credentials",
                "",
                Teams.bearer(team.apiKey()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    String fresh = JSON.readTree(res.body()).get("connection_url").asString();

    assertThat(open.isValid(2)).as("the old session is ended").isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestPostgres.connect(old).close())
        .hasMessageContaining("password authentication failed");
    TestPostgres.connect(dev.instanode.core.PostgresUrl.parse(fresh)).close();
    JsonNode creds =
        JSON.readTree(
            api.http()
                .get("/api/v1/resources/" + token + "/credentials", Teams.bearer(team.apiKey()))
                .body());
    assertThat(creds.get("connection_url").asString()).isEqualTo(fresh);
  }

  @Test
  void aDeleteRacingGetsAndAnotherDeleteNeverAnswers500() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    for (int round = 0; round < 5; round++) {
      String token = provision(team.apiKey(), "race").get("token").asString();
      List<Callable<Integer>> calls = new ArrayList<>();
      calls.add(() ->
          api.http()
              .delete("/api/v1/resources/" + token, Teams.bearer(team.apiKey()))
              .statusCode());
      calls.add(() ->
          api.http()
              .delete("/api/v1/resources/" + token, Teams.bearer(team.apiKey()))
              .statusCode());
      for (int i = 0; i < 4; i++) {
        calls.add(() ->
            api.http().get("/api/v1/resources/" + token, Teams.bearer(team.apiKey())).statusCode());
        calls.add(() ->
            api.http()
                .get("/api/v1/resources/" + token + "/credentials", Teams.bearer(team.apiKey()))
                .statusCode());
      }
      List<Integer> statuses = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
        for (Future<Integer> f : pool.invokeAll(calls)) {
          statuses.add(f.get());
        }
      }
      // The losing DELETE sees the row gone (404) or, if the winner still holds its lock past
      // lock_timeout, a retryable 503: never a 500, never two drops.
      List<Integer> deletes = statuses.subList(0, 2);
      assertThat(deletes).containsOnlyOnce(200);
      assertThat(deletes).allMatch(s -> s == 200 || s == 404 || s == 503);
      assertThat(statuses.subList(2, statuses.size())).allMatch(s -> s == 200 || s == 404);
    }
  }

  @Test
  void compatibilityRoutesKeepTheirOldShapes() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.HOBBY);
    assertThat(api.http().get("/api/me/resources", Teams.bearer(team.apiKey())).body())
        .isEqualTo("[]");

    HttpResponse<String> anonymous =
        api.http()
            .post(
                "/db/new",
                "{\"name\":\"adopt-me\"}",
                Map.of("Content-Type", "application/json", "X-Forwarded-For", "192.0.2.77"));
    String token = JSON.readTree(anonymous.body()).get("token").asString();
    JsonNode claimed =
        JSON.readTree(
            api.http()
                .post("/api/me/claim", "{\"token\":\"" + token + "\"}", Teams.bearer(team.apiKey()))
                .body());
    assertThat(claimed.get("ok").asBoolean()).isTrue();
    assertThat(claimed.get("tier").asString()).as("a paying team's own tier").isEqualTo("hobby");
    assertThat(claimed.get("expires_at").isNull()).isTrue();

    JsonNode list =
        JSON.readTree(api.http().get("/api/me/resources", Teams.bearer(team.apiKey())).body());
    assertThat(list.isArray()).isTrue();
    assertThat(list.get(0).get("token").asString()).isEqualTo(token);

    JsonNode gone =
        JSON.readTree(
            api.http().delete("/api/me/resources/" + token, Teams.bearer(team.apiKey())).body());
    assertThat(gone.get("status").asString()).isEqualTo("deleted");

    JsonNode newKey =
        JSON.readTree(
            api.http().get("/api/me/token", Teams.bearer(Teams.session(api.env(), team))).body());
    assertThat(newKey.get("token").asString()).startsWith("ink_");
    assertThat(
            api.http().get("/auth/me", Teams.bearer(newKey.get("token").asString())).statusCode())
        .isEqualTo(200);

    JsonNode created =
        JSON.readTree(
            api.http()
                .post(
                    "/api/v1/auth/api-keys",
                    "{\"name\":\"ci\"}",
                    Teams.bearer(Teams.session(api.env(), team)))
                .body());
    assertThat(created.get("name").asString()).isEqualTo("ci");
    assertThat(created.get("key").asString()).startsWith("ink_").hasSize(47);
  }

  private static JsonNode provision(String key, String name) {
    HttpResponse<String> res =
        api.http().post("/db/new", "{\"name\":\"" + name + "\"}", Teams.bearer(key));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static boolean adminExists(String sql) throws Exception {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next();
    }
  }
}
