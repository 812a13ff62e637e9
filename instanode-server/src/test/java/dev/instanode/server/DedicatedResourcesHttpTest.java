package dev.instanode.server;

import static dev.instanode.server.StackRig.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A dedicated plan's resources end to end over HTTP, each on its own server: the cluster is
 * fabric8's mock API server, and {@link FakeKubelet} does what a kubelet and the images would,
 * starting a real embedded Postgres or Redis from the pod's Secret and arguments and reporting the
 * pod Ready. So the URL a call answers is one that was really checked, and is checked again here.
 */
@EnableKubernetesMockClient(crud = true)
class DedicatedResourcesHttpTest {
  static KubernetesClient client;
  private static FakeKubelet kubelet;
  private static StackRig rig;
  private static StackRig quick;

  @BeforeAll
  static void start() throws Exception {
    kubelet = new FakeKubelet(client);
    rig =
        StackRig.start(
            client,
            Set.of(Role.API),
            Map.of("DEDICATED_READY_TIMEOUT", "90s"),
            Optional.of(kubelet.addresses()));
    // The same cluster, with a deadline a held-back pod misses.
    quick =
        StackRig.start(
            client,
            Set.of(Role.API),
            Map.of("DEDICATED_READY_TIMEOUT", "2s"),
            Optional.of(kubelet.addresses()));
  }

  @AfterAll
  static void stop() {
    quick.close();
    rig.close();
    kubelet.close();
  }

  private static String namespace(String token) {
    return "instant-customer-" + token;
  }

  private static JsonNode created(StackRig on, String path, Map<String, String> headers) {
    HttpResponse<String> res = on.http.post(path, "{\"name\":\"own\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static void selectOne(String url) throws SQLException {
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void aProTeamsPostgresIsItsOwnServerInAHardenedNamespaceAndItsUrlWorks() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    JsonNode made = created(rig, "/db/new", Teams.bearer(team.apiKey()));
    assertThat(made.get("backend").asString()).isEqualTo("dedicated");
    assertThat(made.has("note")).isFalse();
    String token = made.get("token").asString();
    String url = made.get("connection_url").asString();
    int port = kubelet.address(namespace(token), "postgres").orElseThrow().port();
    // The URL names the resource's own server, not the shared cluster.
    assertThat(PostgresUrl.parse(url).port()).isEqualTo(port);
    assertThat(PostgresUrl.parse(url).port()).isNotEqualTo(TestPostgres.adminUrl().port());
    selectOne(url);

    // Inside: the tenant role has the plan's cap, and is no superuser.
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolconnlimit, rolsuper FROM pg_roles WHERE rolname = current_user")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(20);
      assertThat(rs.getBoolean(2)).isFalse();
    }

    Namespace ns = client.namespaces().withName(namespace(token)).get();
    assertThat(ns.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "instanode")
        .containsEntry("instanode.dev/owner", team.team().id().toString())
        .containsEntry("instanode.dev/resource-type", "postgres");
    NetworkPolicy deny =
        client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(namespace(token))
            .withName("default-deny")
            .get();
    assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(deny.getSpec().getIngress()).hasSize(1);
    assertThat(deny.getSpec().getIngress().getFirst().getPorts().getFirst().getPort().getIntVal())
        .isEqualTo(5432);
    assertThat(deny.getSpec().getIngress().getFirst().getFrom()).isNullOrEmpty();
    assertThat(deny.getSpec().getEgress()).hasSize(1);
    assertThat(deny.getSpec().getEgress().getFirst().getPorts())
        .allSatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(53));
    assertThat(
            client
                .resourceQuotas()
                .inNamespace(namespace(token))
                .withName("dedicated-quota")
                .get()
                .getSpec()
                .getHard())
        .containsKeys("pods", "persistentvolumeclaims", "limits.cpu", "limits.memory");
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(namespace(token))
                .withName("postgres-data")
                .get()
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("50Gi");
    assertThat(client.secrets().inNamespace(namespace(token)).withName("postgres-admin").get())
        .isNotNull();
    assertThat(client.services().inNamespace(namespace(token)).withName("postgres").get())
        .isNotNull();
    Deployment d =
        client.apps().deployments().inNamespace(namespace(token)).withName("postgres").get();
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container server = pod.getContainers().getFirst();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(server.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(server.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(server.getImage()).isEqualTo("pgvector/pgvector:pg16");
    // The admin password is read from the Secret, never written into the pod spec.
    assertThat(server.getEnv())
        .filteredOn(e -> e.getName().equals("POSTGRES_PASSWORD"))
        .allSatisfy(e -> assertThat(e.getValue()).isNull());

    // Rotation ends the old password on the resource's own server.
    HttpResponse<String> rotated =
        rig.http.post(
            "/api/v1/resources/" + token + "/rotate-credentials",
            "{}",
            Teams.bearer(team.apiKey()));
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    String fresh = JSON.readTree(rotated.body()).get("connection_url").asString();
    selectOne(fresh);
    assertThatThrownBy(() -> selectOne(url)).isInstanceOf(SQLException.class);

    // Delete: the namespace goes through the audited chokepoint, and the server with it.
    HttpResponse<String> deleted =
        rig.http.delete("/api/v1/resources/" + token, Teams.bearer(team.apiKey()));
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(client.namespaces().withName(namespace(token)).get()).isNull();
    await().atMost(Duration.ofSeconds(20)).until(() -> !kubelet.running(namespace(token)));
    assertThatThrownBy(() -> selectOne(fresh)).isInstanceOf(SQLException.class);
    assertThat(
            rig.count(
                "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'user_delete'"
                    + " AND backend = 'dedicated'"
                    + " AND array_to_string(names, ',') LIKE '%instant-customer-%'"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void aProTeamsRedisIsItsOwnServerWhoseTenantCannotLiftItsCaps() {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    JsonNode made = created(rig, "/cache/new", Teams.bearer(team.apiKey()));
    assertThat(made.get("backend").asString()).isEqualTo("dedicated");
    String url = made.get("connection_url").asString();
    assertThat(url).startsWith("redis://usr_" + made.get("token").asString() + ":");
    try (RedisClient redis = RedisClient.create(url);
        StatefulRedisConnection<String, String> c = redis.connect()) {
      c.sync().set("any-key", "v");
      assertThat(c.sync().get("any-key")).isEqualTo("v");
      // Its whole server, but not its caps: CONFIG is an admin command.
      assertThatThrownBy(() -> c.sync().configSet("maxmemory", "0"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageContaining("NOPERM");
    }
    Deployment d =
        client
            .apps()
            .deployments()
            .inNamespace(namespace(made.get("token").asString()))
            .withName("redis")
            .get();
    Container server = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(server.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    // Ready while every client slot is taken: a TCP check, not a PING that could not get in.
    assertThat(server.getReadinessProbe().getTcpSocket()).isNotNull();
    assertThat(server.getArgs()).contains("noeviction", "-@admin");
  }

  @Test
  void aServerNotReadyByTheDeadlineIsTornDownItsRowFailedAndTheCallerGets503() {
    TeamBootstrap.Bootstrapped team = Teams.create(quick.env, Tier.PRO);
    kubelet.hold("ImagePullBackOff");
    HttpResponse<String> res;
    try {
      res = quick.http.post("/db/new", "{\"name\":\"slow\"}", Teams.bearer(team.apiKey()));
    } finally {
      kubelet.release();
    }
    assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
    JsonNode error = JSON.readTree(res.body());
    assertThat(error.get("error").asString()).isEqualTo("provision_failed");
    assertThat(res.body()).doesNotContain("postgres://");
    String token;
    try {
      token =
          quick.scalar(
              "SELECT token::text FROM resources WHERE team_id = '" + team.team().id() + "'");
      assertThat(quick.scalar("SELECT status FROM resources WHERE token = '" + token + "'"))
          .isEqualTo("failed");
      // Torn down through the chokepoint, its reason recorded first.
      assertThat(
              quick.count(
                  "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'provision_rollback'"
                      + " AND array_to_string(names, ',') LIKE '%"
                      + token.substring(0, 8)
                      + "%'"))
          .isGreaterThanOrEqualTo(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(client.namespaces().withName(namespace(token)).get()).isNull();
  }

  @Test
  void anAsyncCallerGets202PendingAndTheUrlOnlyOnceItWorks() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    Map<String, String> async = new HashMap<>(Teams.bearer(team.apiKey()));
    async.put("Prefer", "respond-async");
    kubelet.hold("ContainerCreating");
    String token;
    try {
      HttpResponse<String> res = rig.http.post("/db/new", "{\"name\":\"later\"}", async);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
      JsonNode accepted = JSON.readTree(res.body());
      assertThat(accepted.get("status").asString()).isEqualTo("pending");
      assertThat(accepted.has("connection_url")).isFalse();
      token = accepted.get("token").asString();
      assertThat(res.headers().firstValue("Location"))
          .hasValue(accepted.get("poll_url").asString());
      assertThat(accepted.get("poll_url").asString()).endsWith("/api/v1/resources/" + token);

      JsonNode polled = item(rig.http, token, team);
      assertThat(polled.get("status").asString()).isEqualTo("pending");
      HttpResponse<String> early =
          rig.http.get("/api/v1/resources/" + token + "/credentials", Teams.bearer(team.apiKey()));
      assertThat(early.statusCode()).as(early.body()).isEqualTo(409);
      assertThat(JSON.readTree(early.body()).get("error").asString()).isEqualTo("resource_pending");
    } finally {
      kubelet.release();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> item(rig.http, token, team).get("status").asString().equals("active"));
    HttpResponse<String> creds =
        rig.http.get("/api/v1/resources/" + token + "/credentials", Teams.bearer(team.apiKey()));
    assertThat(creds.statusCode()).as(creds.body()).isEqualTo(200);
    selectOne(JSON.readTree(creds.body()).get("connection_url").asString());
  }

  private static JsonNode item(HttpJson http, String token, TeamBootstrap.Bootstrapped team) {
    HttpResponse<String> res = http.get("/api/v1/resources/" + token, Teams.bearer(team.apiKey()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body()).get("item");
  }

  @Test
  void withNoClusterADedicatedPlanFallsBackToTheSharedBackendAndSaysSo() throws Exception {
    Map<String, String> env = TestApplications.environment();
    env.put("KUBERNETES_MODE", "off");
    try (Application app =
        TestApplications.start(env, dev.instanode.provisioner.ProvisionStepHook.NONE)) {
      TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.PRO);
      HttpResponse<String> res =
          new HttpJson(app.port())
              .post("/db/new", "{\"name\":\"shared\"}", Teams.bearer(team.apiKey()));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      JsonNode made = JSON.readTree(res.body());
      assertThat(made.get("backend").asString()).isEqualTo("shared");
      assertThat(made.get("note").asString()).contains("shared backend");
      assertThat(PostgresUrl.parse(made.get("connection_url").asString()).port())
          .isEqualTo(TestPostgres.adminUrl().port());
      selectOne(made.get("connection_url").asString());
    }
  }
}
