package dev.instanode.server;

import static dev.instanode.server.StackRig.JSON;
import static dev.instanode.server.StackRig.from;
import static dev.instanode.server.StackRig.namespace;
import static dev.instanode.server.StackRig.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A stack's life over HTTP with every part real but the cluster, which is fabric8's mock API server
 * in CRUD mode set by the test: create (manifest, needs, gate, access), the live status (deploying,
 * healthy, failed, lost, a cluster that does not answer), logs and delete.
 */
@EnableKubernetesMockClient(crud = true)
class StacksHttpTest {
  static KubernetesClient client;
  static KubernetesMockServer server;
  private static StackRig rig;

  private static final String ONE_WEB = "{\"services\":{\"web\":{\"image\":\"nginx:1.27\"}}}";

  @BeforeAll
  static void start() {
    rig = StackRig.start(client, Set.of(Role.API), Map.of());
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void anAnonymousStackIsRecordedAnsweredAndAppliedWithWhatItsServicesNeed() throws Exception {
    Map<String, String> me = from("10.20.1.1");
    JsonNode db = rig.provision("/db/new", me);
    JsonNode cache = rig.provision("/cache/new", me);
    JsonNode cache2 = rig.provision("/cache/new", me);
    // Proof of receipt: the upgrade_jwt of each, sent back as an agent chains its calls.
    Map<String, String> received =
        with(
            me,
            "X-Instanode-Upgrade",
            String.join(
                ",",
                db.get("upgrade_jwt").asString(),
                cache.get("upgrade_jwt").asString(),
                cache2.get("upgrade_jwt").asString()));

    JsonNode made =
        rig.created(
            received,
            "{\"services\":{\"web\":{\"image\":\"nginx:1.27\",\"port\":8080,\"expose\":true,"
                + "\"needs\":[\""
                + db.get("token").asString()
                + "\",\""
                + cache.get("token").asString()
                + "\",\""
                + cache2.get("token").asString()
                + "\"],\"env\":{\"API\":\"service://api\",\"REDIS_URL_2\":\"mine\"}},"
                + "\"api\":{\"image\":\"ghcr.io/acme/api:1\",\"port\":9000}}}");

    String slug = made.get("stack_id").asString();
    assertThat(slug).matches("stk-[0-9a-f]{8}");
    assertThat(made.get("status").asString()).isEqualTo("deploying");
    assertThat(made.get("tier").asString()).isEqualTo("anonymous");
    assertThat(made.get("expires_in").asString()).isEqualTo("6h");
    assertThat(made.get("cluster").asString()).isEqualTo("kubernetes");
    assertThat(made.get("upgrade_jwt").asString()).isNotBlank();
    assertThat(rig.scalar("SELECT id::text FROM stacks WHERE slug = '" + slug + "'"))
        .as("the id never leaves the platform")
        .isNotEqualTo(slug);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.secrets().inNamespace(namespace(slug)).withName("web-env").get() != null);
    Secret env = client.secrets().inNamespace(namespace(slug)).withName("web-env").get();
    assertThat(env.getStringData())
        .containsEntry("DATABASE_URL", db.get("connection_url").asString())
        .containsEntry("REDIS_URL", cache.get("connection_url").asString())
        .as("the manifest's own env wins over what needs inject")
        .containsEntry("REDIS_URL_2", "mine")
        .containsEntry("API", "http://api:9000");
    assertThat(client.namespaces().withName(namespace(slug)).get().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "instanode")
        .containsEntry("instanode.dev/stack-slug", slug);
    assertThat(client.network().v1().ingresses().inNamespace(namespace(slug)).list().getItems())
        .singleElement()
        .satisfies(i ->
            assertThat(i.getSpec().getRules().getFirst().getHost())
                .isEqualTo("web-" + slug + ".stacks.localhost"));

    JsonNode deploying = get(slug, me);
    assertThat(deploying.get("status").asString()).isEqualTo("deploying");
    assertThat(deploying.get("services").get(1).get("url").asString())
        .isEqualTo("https://web-" + slug + ".stacks.localhost");

    rig.available(slug, "web");
    rig.available(slug, "api");
    assertThat(get(slug, me).get("status").asString()).isEqualTo("healthy");
    assertThat(rig.scalar("SELECT status FROM stacks WHERE slug = '" + slug + "'"))
        .as("the row follows the live cluster")
        .isEqualTo("healthy");
  }

  @Test
  void aPodStuckPullingItsImageFailsTheStackWithTheReasonPerService() throws Exception {
    Map<String, String> me = from("10.20.2.1");
    String slug =
        rig.created(
                me,
                "{\"services\":{\"web\":{\"image\":\"nginx:1.27\"},"
                    + "\"worker\":{\"image\":\"ghcr.io/acme/nope:1\"}}}")
            .get("stack_id")
            .asString();
    awaitApplied(slug);
    rig.available(slug, "web");
    rig.stuck(slug, "worker", "ImagePullBackOff");

    JsonNode failed = get(slug, me);

    assertThat(failed.get("status").asString()).isEqualTo("failed");
    JsonNode worker = failed.get("services").get(1);
    assertThat(worker.get("name").asString()).isEqualTo("worker");
    assertThat(worker.get("status").asString()).isEqualTo("failed");
    assertThat(worker.get("reason").asString()).isEqualTo("ImagePullBackOff");
    assertThat(failed.get("services").get(0).get("status").asString()).isEqualTo("healthy");
    assertThat(
            rig.scalar(
                "SELECT s.reason FROM stack_services s JOIN stacks t ON t.id = s.stack_id"
                    + " WHERE t.slug = '"
                    + slug
                    + "' AND s.name = 'worker'"))
        .isEqualTo("ImagePullBackOff");
  }

  @Test
  void aNamespaceThatVanishedIsReportedLostAndCounted() throws Exception {
    Map<String, String> me = from("10.20.3.1");
    String slug = rig.created(me, ONE_WEB).get("stack_id").asString();
    awaitApplied(slug);
    rig.available(slug, "web");
    assertThat(get(slug, me).get("status").asString()).isEqualTo("healthy");

    client.namespaces().withName(namespace(slug)).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.namespaces().withName(namespace(slug)).get() == null);

    assertThat(get(slug, me).get("status").asString()).isEqualTo("lost");
    assertThat(rig.http.get("/metrics").body()).contains("instant_stacks_lost_total 1.0");
  }

  @Test
  void aClusterThatDoesNotAnswerIs503AndTheRowIsLeftAsItWas() throws Exception {
    Map<String, String> me = from("10.20.4.1");
    String slug = rig.created(me, ONE_WEB).get("stack_id").asString();
    awaitApplied(slug);
    rig.available(slug, "web");
    assertThat(get(slug, me).get("status").asString()).isEqualTo("healthy");
    String before = rig.scalar("SELECT updated_at::text FROM stacks WHERE slug = '" + slug + "'");

    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + namespace(slug))
        .andReturn(500, "{}")
        .always();
    HttpResponse<String> res = rig.http.get("/stacks/" + slug, me);

    assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
    assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("cluster_unavailable");
    assertThat(res.headers().firstValue("Retry-After")).isPresent();
    assertThat(
            rig.scalar(
                "SELECT status || ' ' || updated_at::text FROM stacks WHERE slug = '" + slug + "'"))
        .isEqualTo("healthy " + before);
  }

  @Test
  void aTeamSeesOnlyItsStacksAndAnAnonymousCallerOnlyAnonymousOnes() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    TeamBootstrap.Bootstrapped other = Teams.create(rig.env, Tier.PRO);
    Map<String, String> member = Teams.bearer(team.apiKey());
    String teamStack = rig.created(member, ONE_WEB).get("stack_id").asString();
    assertThat(rig.created(member, ONE_WEB).get("tier").asString()).isEqualTo("pro");
    String anonymous = rig.created(from("10.20.5.1"), ONE_WEB).get("stack_id").asString();

    assertThat(rig.http.get("/stacks/" + teamStack, member).statusCode()).isEqualTo(200);
    assertThat(rig.http.get("/stacks/" + teamStack, Teams.bearer(other.apiKey())).statusCode())
        .isEqualTo(404);
    assertThat(rig.http.get("/stacks/" + teamStack, from("10.20.6.1")).statusCode()).isEqualTo(404);
    assertThat(rig.http.get("/stacks/" + anonymous, member).statusCode()).isEqualTo(404);
    assertThat(rig.http.get("/stacks/" + anonymous, from("10.20.99.1")).statusCode())
        .as("an anonymous stack is read by its slug")
        .isEqualTo(200);
    assertThat(rig.http.get("/stacks/stk-00000000", member).statusCode()).isEqualTo(404);
    assertThat(rig.http.get("/stacks/not-a-slug", member).statusCode()).isEqualTo(404);
  }

  @Test
  void aStackUsesOnlyWhatItsCallerOwns() throws Exception {
    Map<String, String> me = from("10.20.7.1");
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    String someoneElses = rig.provision("/db/new", from("10.20.8.1")).get("token").asString();
    // Made from the caller's own network by someone else behind the same NAT: the token alone is
    // no proof of receipt, and the stack's env and logs would hand over its credentials.
    JsonNode neighbours = rig.provision("/db/new", from("10.20.7.2"));
    HttpResponse<String> sameNetwork =
        rig.create(
            me,
            "app",
            "{\"services\":{\"web\":{\"image\":\"nginx\",\"needs\":[\""
                + neighbours.get("token").asString()
                + "\"]}}}");
    assertThat(sameNetwork.statusCode()).as(sameNetwork.body()).isEqualTo(403);
    assertThat(sameNetwork.body()).contains("X-Instanode-Upgrade");
    String teams = rig.provision("/db/new", Teams.bearer(team.apiKey())).get("token").asString();
    long before = rig.count("SELECT count(*) FROM stacks");

    for (String token : new String[] {someoneElses, teams}) {
      HttpResponse<String> res =
          rig.create(
              me,
              "app",
              "{\"services\":{\"web\":{\"image\":\"nginx\",\"needs\":[\"" + token + "\"]}}}");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(403);
      assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("forbidden");
      assertThat(res.body()).contains("services.web.needs[0]");
    }
    HttpResponse<String> teamUsesAnonymous =
        rig.create(
            Teams.bearer(team.apiKey()),
            "app",
            "{\"services\":{\"web\":{\"image\":\"nginx\",\"needs\":[\"" + someoneElses + "\"]}}}");
    assertThat(teamUsesAnonymous.statusCode()).isEqualTo(403);
    assertThat(rig.count("SELECT count(*) FROM stacks"))
        .as("nothing half-created")
        .isEqualTo(before);
  }

  @Test
  void aRefusedManifestNamesTheFieldAndCostsNothing() throws Exception {
    Map<String, String> me = from("10.20.9.1");
    String[][] cases = {
      {"{\"services\":{}}", "invalid_manifest", "services"},
      {"{\"services\":{\"web\":{\"port\":8080}}}", "invalid_manifest", "services.web.image"},
      {
        "{\"services\":{\"web\":{\"image\":\"x\",\"port\":70000}}}",
        "invalid_manifest",
        "services.web.port"
      },
      {
        "{\"services\":{\"web\":{\"image\":\"x\",\"env\":{\"bad-key\":\"v\"}}}}",
        "invalid_env_key",
        "services.web.env"
      },
      {"{\"services\":{\"web\":{\"build\":\"./src\"}}}", "build_not_supported", "services.web"},
      {
        "{\"services\":{\"web\":{\"image\":\"x\",\"env\":{\"A\":\"service://nope\"}}}}",
        "invalid_manifest",
        "services.web.env.A"
      },
      {"\"services: [\"", "invalid_manifest", "manifest"},
    };
    for (String[] c : cases) {
      HttpResponse<String> res = rig.create(me, "app", c[0]);
      assertThat(res.statusCode()).as(c[0] + " " + res.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(res.body());
      assertThat(error.get("error").asString()).as(c[0]).isEqualTo(c[1]);
      assertThat(error.get("message").asString()).as(c[0]).contains(c[2]);
      assertThat(error.get("agent_action").asString()).isNotBlank();
    }
    HttpResponse<String> build =
        rig.create(me, "app", "{\"services\":{\"web\":{\"build\":\".\"}}}");
    assertThat(JSON.readTree(build.body()).get("agent_action").asString()).contains("image");
    // The gate counted none of them: five provisions still pass today.
    for (int i = 0; i < 5; i++) {
      rig.created(me, ONE_WEB);
    }
  }

  @Test
  void aManifestAlsoComesAsAMultipartUpload() throws Exception {
    String boundary = "----instanode" + System.nanoTime();
    String body =
        "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"name\"\r\n\r\nfrom-yaml\r\n"
            + "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"manifest\"; filename=\"instant.yaml\"\r\n"
            + "Content-Type: application/yaml\r\n\r\n"
            + "services:\n  web:\n    image: nginx:1.27\n    port: 8081\n    expose: true\n"
            + "\r\n--"
            + boundary
            + "--\r\n";
    HttpResponse<String> res =
        rig.http.post(
            "/stacks/new",
            body,
            Map.of(
                "Content-Type",
                "multipart/form-data; boundary=" + boundary,
                "X-Forwarded-For",
                "10.20.10.1"));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
    String slug = JSON.readTree(res.body()).get("stack_id").asString();
    JsonNode got = get(slug, from("10.20.10.1"));
    assertThat(got.get("name").asString()).isEqualTo("from-yaml");
    assertThat(got.get("services").get(0).get("port").asInt()).isEqualTo(8081);
  }

  @Test
  void deletingTearsTheNamespaceDownBeforeTheRowAndAnAnonymousStackNeedsItsToken()
      throws Exception {
    Map<String, String> me = from("10.20.11.1");
    JsonNode made = rig.created(me, ONE_WEB);
    String slug = made.get("stack_id").asString();
    awaitApplied(slug);

    HttpResponse<String> withoutProof = rig.http.delete("/stacks/" + slug, me);
    assertThat(withoutProof.statusCode())
        .as("the network alone proves nothing: it is shared")
        .isEqualTo(404);
    assertThat(client.namespaces().withName(namespace(slug)).get()).isNotNull();

    HttpResponse<String> deleted =
        rig.http.delete(
            "/stacks/" + slug, with(me, "X-Instanode-Upgrade", made.get("upgrade_jwt").asString()));

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(JSON.readTree(deleted.body()).get("stack_id").asString()).isEqualTo(slug);
    assertThat(client.namespaces().withName(namespace(slug)).get()).isNull();
    assertThat(rig.count("SELECT count(*) FROM stacks WHERE slug = '" + slug + "'")).isZero();
    assertThat(
            rig.count(
                "SELECT count(*) FROM audit_log WHERE kind IN ('deprovision.requested',"
                    + " 'deprovision.dropped') AND metadata::text LIKE '%"
                    + namespace(slug)
                    + "%'"))
        .isEqualTo(2);
    assertThat(rig.http.get("/stacks/" + slug, me).statusCode()).isEqualTo(404);
  }

  @Test
  void logsStreamEachLineOfTheServicesPodAsServerSentEvents() throws Exception {
    Map<String, String> me = from("10.20.12.1");
    JsonNode made = rig.created(me, ONE_WEB);
    String slug = made.get("stack_id").asString();
    Map<String, String> proof = with(me, "X-Instanode-Upgrade", made.get("upgrade_jwt").asString());
    awaitApplied(slug);
    rig.stuck(slug, "web", "ContainerCreating");
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/" + namespace(slug) + "/pods/web-1/log?pretty=false&follow=true")
        .andReturn(200, "starting\nlistening on 8080\n")
        .always();

    HttpResponse<String> res = rig.http.get("/stacks/" + slug + "/logs/web", proof);

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    assertThat(res.body())
        .contains("event: log\ndata: starting\n")
        .contains("data: listening on 8080\n")
        .contains("event: end");
    assertThat(rig.http.get("/stacks/" + slug + "/logs/nope", proof).statusCode()).isEqualTo(404);
    assertThat(rig.http.get("/stacks/" + slug + "/logs/web", me).statusCode())
        .as(
            "logs print what a service was given: the slug alone, public in its hostname, is not"
                + " enough")
        .isEqualTo(404);
  }

  private static JsonNode get(String slug, Map<String, String> headers) {
    HttpResponse<String> res = rig.http.get("/stacks/" + slug, headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  private static void awaitApplied(String slug) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            client.apps().deployments().inNamespace(namespace(slug)).list().getItems().size() > 0);
  }
}
