package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.ApiServer;
import dev.instanode.api.auth.Access;
import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Walks every route the api registers with a key of every role, and checks each answer against the
 * route's {@link Access}: a role below it is refused with 403 {@code forbidden_role} before the
 * handler runs, a role at or above it never is. A route added without an Access stops the server
 * from starting, so this test (and every other) fails.
 */
class RoleMatrixHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  @Test
  void everyRouteRefusesExactlyTheRolesBelowItsAccess() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Map<TeamRole, String> keys = new EnumMap<>(TeamRole.class);
    keys.put(TeamRole.OWNER, team.apiKey());
    for (TeamRole role : List.of(TeamRole.ADMIN, TeamRole.DEVELOPER, TeamRole.VIEWER)) {
      keys.put(role, Teams.memberKey(api.env(), team.team().id(), role));
    }
    Map<String, String> params = new HashMap<>();
    params.put("team_id", team.team().id().toString());

    List<ApiServer.RouteAccess> routes = api.routes();
    assertThat(routes).hasSizeGreaterThan(40);
    List<String> mismatches = new ArrayList<>();
    for (ApiServer.RouteAccess route : routes) {
      String path = concrete(route.path(), params);
      for (TeamRole role : TeamRole.values()) {
        HttpResponse<String> res = send(route.method(), path, keys.get(role));
        boolean refused = res.statusCode() == 403 && "forbidden_role".equals(code(res));
        if (refused == route.access().allows(role)) {
          mismatches.add(
              route.method()
                  + " "
                  + route.path()
                  + " as "
                  + role.wireName()
                  + " ("
                  + route.access()
                  + "): "
                  + res.statusCode()
                  + " "
                  + res.body());
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void theTableGivesTheRulesTheIssueAsksFor() {
    Map<String, Access> table = new HashMap<>();
    for (ApiServer.RouteAccess r : api.routes()) {
      table.put(r.method() + " " + r.path(), r.access());
    }
    // A viewer reads; a developer builds; revealing a password is building, not reading.
    assertThat(table)
        .containsEntry("GET /api/v1/resources", Access.READ)
        .containsEntry("POST /db/new", Access.BUILD)
        .containsEntry("GET /api/v1/resources/{token}/credentials", Access.BUILD)
        .containsEntry("POST /api/v1/auth/api-keys", Access.BUILD)
        .containsEntry("GET /livez", Access.OPEN);
    // Nothing a member changes is open to a viewer.
    table.forEach((route, access) -> {
      if (!route.startsWith("GET ") && !route.startsWith("HEAD ") && access == Access.READ) {
        throw new AssertionError(route + " changes something but a viewer may call it");
      }
    });
  }

  @Test
  void aDeveloperRevokesTheirOwnKeysButNoOneElses() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String developer = Teams.memberKey(api.env(), team.team().id(), TeamRole.DEVELOPER);
    String admin = Teams.memberKey(api.env(), team.team().id(), TeamRole.ADMIN);
    JsonNode whoami = json(api.http().get("/api/v1/whoami", Teams.bearer(developer)), 200);
    assertThat(whoami.get("role").asString()).isEqualTo("developer");
    String developerKeyId = whoami.get("api_key_id").asString();
    String adminKeyId =
        json(api.http().get("/api/v1/whoami", Teams.bearer(admin)), 200)
            .get("api_key_id")
            .asString();

    HttpResponse<String> others =
        api.http().delete("/api/v1/auth/api-keys/" + adminKeyId, Teams.bearer(developer));
    assertThat(others.statusCode()).as(others.body()).isEqualTo(404);
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(admin)).statusCode()).isEqualTo(200);

    HttpResponse<String> own =
        api.http().delete("/api/v1/auth/api-keys/" + developerKeyId, Teams.bearer(developer));
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(developer)).statusCode())
        .isEqualTo(401);

    // An admin revokes anyone's key.
    String another = Teams.memberKey(api.env(), team.team().id(), TeamRole.DEVELOPER);
    String anotherId =
        json(api.http().get("/api/v1/whoami", Teams.bearer(another)), 200)
            .get("api_key_id")
            .asString();
    assertThat(
            api.http()
                .delete("/api/v1/auth/api-keys/" + anotherId, Teams.bearer(admin))
                .statusCode())
        .isEqualTo(200);
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  /** Path parameters filled with values that name nothing, except the caller's own team. */
  private static String concrete(String template, Map<String, String> known) {
    StringBuilder out = new StringBuilder();
    for (String segment : template.split("/", -1)) {
      if (!out.isEmpty() || !segment.isEmpty()) {
        out.append('/');
      }
      if (segment.startsWith("{") && segment.endsWith("}")) {
        String name = segment.substring(1, segment.length() - 1);
        out.append(known.getOrDefault(name, name.equals("slug") ? "stk-0000ffff" : uuid()));
      } else if (segment.startsWith("<")) {
        out.append("x");
      } else {
        out.append(segment);
      }
    }
    return out.toString();
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }

  private static HttpResponse<String> send(String method, String path, String key) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .header("Authorization", "Bearer " + key);
    if (method.equals("GET")
        || method.equals("HEAD")
        || method.equals("DELETE")
        || method.equals("OPTIONS")) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      // A body no handler accepts: a role that passes gets a 400, and nothing is made.
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString("[]"));
    }
    return api.http().send(request, Map.of());
  }

  private static String code(HttpResponse<String> res) {
    try {
      JsonNode body = JSON.readTree(res.body());
      return body.path("error").asString("");
    } catch (RuntimeException e) {
      return "";
    }
  }
}
