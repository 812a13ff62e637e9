package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api and the worker in one process: an owner deletes the team with its name as confirmation,
 * its keys stop at once, and the worker drops its real database and tombstones it.
 */
class TeamDeletionEndToEndTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void anOwnerDeletesTheTeamAndEverythingItHeldIsTornDown() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("INSTANODE_JOB_TEAM_DELETION_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    try (Application app =
        Application.start(
            Config.from(env),
            Set.of(Role.API, Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()))) {
      HttpJson http = HttpJson.fromManyNetworks(app.port());
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.PRO);
      Map<String, String> owner = Teams.bearer(team.apiKey());
      HttpResponse<String> made = http.post("/db/new", "{\"name\":\"doomed\"}", owner);
      assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
      PostgresUrl url =
          PostgresUrl.parse(JSON.readTree(made.body()).get("connection_url").asString());
      TestPostgres.connect(url).close();
      String admin = Teams.memberKey(env, team.team().id(), TeamRole.ADMIN);

      HttpResponse<String> byAdmin =
          delete(app, "{\"confirm\":\"" + team.team().name() + "\"}", admin);
      assertThat(error(byAdmin)).isEqualTo("forbidden_role");
      HttpResponse<String> unconfirmed = delete(app, "{\"confirm\":\"nope\"}", team.apiKey());
      assertThat(unconfirmed.statusCode()).isEqualTo(400);
      assertThat(error(unconfirmed)).isEqualTo("confirmation_required");
      assertThat(error(delete(app, "", team.apiKey()))).isEqualTo("confirmation_required");

      HttpResponse<String> accepted =
          delete(app, "{\"confirm\":\"" + team.team().name() + "\"}", team.apiKey());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      assertThat(JSON.readTree(accepted.body()).get("status").asString())
          .isEqualTo("deletion_pending");
      assertThat(http.get("/api/v1/whoami", owner).statusCode())
          .as("its keys stop at once")
          .isEqualTo(401);
      assertThat(http.get("/api/v1/whoami", Teams.bearer(admin)).statusCode()).isEqualTo(401);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() ->
              AnonymousGateHttpTest.count(
                      env,
                      "SELECT count(*) FROM teams WHERE status = 'tombstoned' AND id = '"
                          + team.team().id()
                          + "'")
                  == 1);
      assertThatThrownBy(() -> TestPostgres.connect(url).close())
          .as("its database's login is gone")
          .hasMessageContaining("password authentication failed");
      JsonNode tombstone =
          JSON.readTree(
              AnonymousGateHttpTest.scalar(
                  env,
                  "SELECT metadata::text FROM audit_log WHERE kind = 'team.tombstoned'"
                      + " AND team_id = '"
                      + team.team().id()
                      + "'"));
      assertThat(tombstone.get("resource_count_destroyed").asInt()).isEqualTo(1);
      assertThat(tombstone.get("namespaces_deleted").asInt()).isZero();
      assertThat(
              AnonymousGateHttpTest.count(
                  env,
                  "SELECT count(*) FROM audit_log WHERE kind = 'team.deletion_requested'"
                      + " AND team_id = '"
                      + team.team().id()
                      + "'"))
          .isEqualTo(1);
    }
  }

  private static HttpResponse<String> delete(Application app, String body, String key) {
    return new HttpJson(app.port()).send("DELETE", "/api/v1/team", body, Teams.bearer(key));
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
