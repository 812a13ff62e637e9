package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A team's audit trail: keyset pages filtered by kind, actor, resource and time, the same rows as a
 * streamed CSV, and neither on a plan without audit access.
 */
class AuditHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void aPlanWithoutAuditAccessGets402WithTheWayOut() {
    TeamBootstrap.Bootstrapped free = Teams.create(api.env(), Tier.FREE);
    for (String path : List.of("/api/v1/audit", "/api/v1/audit.csv")) {
      HttpResponse<String> refused = api.http().get(path, Teams.bearer(free.apiKey()));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
      JsonNode body = JSON.readTree(refused.body());
      assertThat(body.get("error").asString()).isEqualTo("upgrade_required");
      assertThat(body.get("upgrade_url").asString()).isNotBlank();
    }
  }

  @Test
  void theTrailFiltersAndPagesAndTheCsvHasTheSameRows() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Map<String, String> auth = Teams.bearer(team.apiKey());
    String token =
        json(api.fromManyNetworks().post("/db/new", "{\"name\":\"audited\"}", auth), 201)
            .get("token")
            .asString();
    json(api.http().get("/api/v1/resources/" + token + "/credentials", auth), 200);
    json(patch("/api/v1/team", "{\"name\":\"Audited\"}", team.apiKey()), 200);
    List<JsonNode> all =
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> items(auth, ""), rows -> rows.size() >= 4);

    assertThat(all)
        .extracting(r -> r.get("kind").asString())
        .contains("team.created", "provision", "connection_url.decrypted", "team.updated");
    assertThat(all.getFirst().get("kind").asString()).as("newest first").isEqualTo("team.updated");

    assertThat(items(auth, "?kind=team.updated"))
        .extracting(r -> r.get("kind").asString())
        .containsOnly("team.updated");
    List<JsonNode> aboutResource = items(auth, "?resource=" + token);
    assertThat(aboutResource).isNotEmpty();
    assertThat(aboutResource).allMatch(r -> r.get("resource").asString().equals(token));
    assertThat(items(auth, "?actor=cli"))
        .extracting(r -> r.get("kind").asString())
        .containsExactly("team.created");
    assertThat(items(auth, "?since=2999-01-01T00:00:00Z")).isEmpty();
    assertThat(error(api.http().get("/api/v1/audit?since=yesterday", auth)))
        .isEqualTo("invalid_query");
    assertThat(error(api.http().get("/api/v1/audit?actor=robot", auth))).isEqualTo("invalid_query");

    // One row a page: every row exactly once.
    Set<String> seen = new HashSet<>();
    String cursor = "";
    int pages = 0;
    do {
      JsonNode page = json(api.http().get("/api/v1/audit?limit=1" + cursor, auth), 200);
      page.get("items").forEach(r -> assertThat(seen.add(r.get("id").asString())).isTrue());
      cursor =
          page.get("next_cursor").isNull() ? "" : "&cursor=" + page.get("next_cursor").asString();
      pages++;
    } while (!cursor.isEmpty() && pages < 50);
    assertThat(seen).hasSize(all.size());

    HttpResponse<String> csv = api.http().get("/api/v1/audit.csv", auth);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.getFirst())
        .isEqualTo("created_at,kind,actor,resource_type,resource,summary,request_id,metadata,id");
    assertThat(lines).hasSize(all.size() + 1);
    assertThat(csv.body()).contains(token);
    assertThat(api.http().get("/api/v1/audit.csv?kind=team.updated", auth).body().lines())
        .hasSize(2);
  }

  @Test
  void aLongTrailStreamsWhole() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO audit_log (team_id, actor, kind, summary, metadata)"
                      + " SELECT ?, 'system', 'resource.expired', 'row ' || n,"
                      + " jsonb_build_object('n', n) FROM generate_series(1, 20000) n",
                  team.team().id().value()));
    }
    HttpResponse<String> csv = api.http().get("/api/v1/audit.csv", Teams.bearer(team.apiKey()));
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body().lines().filter(l -> l.contains("resource.expired")).count())
        .isEqualTo(20000);
  }

  private static List<JsonNode> items(Map<String, String> auth, String query) {
    List<JsonNode> out = new ArrayList<>();
    json(api.http().get("/api/v1/audit" + query, auth), 200).get("items").forEach(out::add);
    return out;
  }

  private static HttpResponse<String> patch(String path, String body, String key) {
    return api.http().send("PATCH", path, body, Teams.bearer(key));
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
