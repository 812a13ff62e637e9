package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PostgresUrl;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The api and the provisioner as separate processes' roles, talking gRPC. */
class RemoteProvisionerHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SECRET = "p".repeat(40);

  @Test
  void theApiProvisionsThroughARemoteProvisioner() throws Exception {
    Map<String, String> provEnv = TestApplications.environment();
    provEnv.put("PROVISIONER_SECRET", SECRET);
    provEnv.put("PROVISIONER_GRPC_PORT", "0");
    try (Application provisioner = start(provEnv, Set.of(Role.PROVISIONER))) {
      Map<String, String> apiEnv = TestApplications.environment();
      apiEnv.put("PROVISIONER_ADDR", "127.0.0.1:" + provisioner.grpcPort());
      apiEnv.put("PROVISIONER_SECRET", SECRET);
      try (Application api = start(apiEnv, Set.of(Role.API))) {
        HttpJson http = new HttpJson(api.port());
        HttpResponse<String> res = http.postJson("/db/new", "{\"name\":\"remote\"}");
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        String url = JSON.readTree(res.body()).get("connection_url").asString();
        try (Connection c = TestPostgres.connect(PostgresUrl.parse(url))) {
          c.createStatement().execute("CREATE TABLE over_grpc (id int)");
        }
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      }
      apiEnv = TestApplications.environment();
      apiEnv.put("PROVISIONER_ADDR", "127.0.0.1:" + provisioner.grpcPort());
      apiEnv.put("PROVISIONER_SECRET", "w".repeat(40));
      try (Application api = start(apiEnv, Set.of(Role.API))) {
        BadInputHttpTest.assertEnvelope(
            new HttpJson(api.port()).postJson("/db/new", "{\"name\":\"wrong-secret\"}"),
            503,
            "provision_failed");
      }
    }
  }

  @Test
  void theProvisionerRoleRefusesToStartWithoutASecret() {
    Map<String, String> env = TestApplications.environment();
    env.put("PROVISIONER_GRPC_PORT", "0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(env, Set.of(Role.PROVISIONER)))
        .hasMessageContaining("PROVISIONER_SECRET");
  }

  private static Application start(Map<String, String> env, Set<Role> roles) {
    return Application.start(
        Config.from(env),
        roles,
        new Application.Options(true, ProvisionStepHook.NONE, java.time.Clock.systemUTC()));
  }
}
