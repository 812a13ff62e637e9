package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * With the platform Redis down, whether a session was logged out cannot be known: a session is
 * refused (503), never assumed live. API keys, checked in the database, go on working.
 */
class SessionsFailClosedHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  // Nothing listens on port 1.
  @RegisterExtension
  static final RunningApi api = RunningApi.with("REDIS_URL", "redis://127.0.0.1:1/0");

  @Test
  void aSessionIsRefusedWhenTheRevokedListCannotBeReadButAKeyStillWorks() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    HttpResponse<String> session =
        api.http().get("/api/v1/whoami", Teams.bearer(Teams.session(api.env(), team)));
    assertThat(session.statusCode()).as(session.body()).isEqualTo(503);
    assertThat(JSON.readTree(session.body()).get("error").asString())
        .isEqualTo("service_unavailable");

    HttpResponse<String> key = api.http().get("/api/v1/whoami", Teams.bearer(team.apiKey()));
    assertThat(key.statusCode()).as(key.body()).isEqualTo(200);

    HttpResponse<String> logout =
        api.http().post("/auth/logout", "", Teams.bearer(Teams.session(api.env(), team)));
    assertThat(logout.statusCode())
        .as("a logout that did not happen is not reported")
        .isEqualTo(503);
  }
}
