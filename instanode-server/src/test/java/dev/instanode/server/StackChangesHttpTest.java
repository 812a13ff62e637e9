package dev.instanode.server;

import static dev.instanode.server.StackRig.JSON;
import static dev.instanode.server.StackRig.from;
import static dev.instanode.server.StackRig.namespace;
import static dev.instanode.server.StackRig.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Changing stacks over HTTP: the env merge of seed 003 (busy, deleting, too large, redacted),
 * redeploy, the team's cap and the anonymous gate, the list, claim and upgrade.
 */
@EnableKubernetesMockClient(crud = true)
class StackChangesHttpTest {
  static KubernetesClient client;
  private static StackRig rig;

  private static final String ONE_WEB = "{\"services\":{\"web\":{\"image\":\"nginx:1.27\"}}}";

  @BeforeAll
  static void start() {
    rig = StackRig.start(client, Set.of(Role.API), Map.of("INTERNAL_JWT_SECRET", "i".repeat(32)));
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void anEnvPatchMergesIsAuditedByKeyAndAnswersRedacted() throws Exception {
    Map<String, String> member = Teams.bearer(Teams.create(rig.env, Tier.PRO).apiKey());
    String slug = rig.created(member, ONE_WEB).get("stack_id").asString();

    HttpResponse<String> first =
        rig.patch(
            "/stacks/" + slug + "/env",
            "{\"env\":{\"A\":\"secret-a\",\"B\":\"secret-b\"}}",
            member);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    HttpResponse<String> second =
        rig.patch("/stacks/" + slug + "/env", "{\"env\":{\"B\":\"\",\"NEVER\":\"\"}}", member);

    JsonNode reply = JSON.readTree(second.body());
    assertThat(reply.get("env").properties()).hasSize(1);
    assertThat(reply.get("cluster").asString()).isEqualTo("kubernetes");
    assertThat(reply.get("env").get("A").asString()).isEqualTo("********");
    assertThat(reply.get("keys_deleted").asInt()).as("only keys that were there").isEqualTo(1);
    assertThat(reply.get("message").asString()).contains("/stacks/" + slug + "/redeploy");
    assertThat(second.body()).doesNotContain("secret-a");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() ->
            rig.count(
                    "SELECT count(*) FROM audit_log WHERE kind = 'stack.env.updated'"
                        + " AND metadata->>'stack_id' = '"
                        + slug
                        + "'")
                == 2);
    assertThat(
            rig.scalar(
                "SELECT metadata->>'keys_set' || ' ' || (metadata->>'keys_deleted') || ' '"
                    + " || (metadata->>'total_after') FROM audit_log WHERE kind ="
                    + " 'stack.env.updated' AND metadata->>'stack_id' = '"
                    + slug
                    + "' ORDER BY created_at LIMIT 1"))
        .isEqualTo("[\"A\", \"B\"] 0 2");
    assertThat(rig.scalar("SELECT env_vars::text FROM stacks WHERE slug = '" + slug + "'"))
        .as("values are sealed at rest")
        .doesNotContain("secret-a");

    HttpResponse<String> badKey =
        rig.patch("/stacks/" + slug + "/env", "{\"env\":{\"lower\":\"v\"}}", member);
    assertThat(JSON.readTree(badKey.body()).get("error").asString()).isEqualTo("invalid_env_key");
    HttpResponse<String> tooLarge =
        rig.patch(
            "/stacks/" + slug + "/env",
            "{\"env\":{\"BIG\":\"" + "x".repeat(70 * 1024) + "\"}}",
            member);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(tooLarge.body()).get("error").asString()).isEqualTo("env_too_large");
  }

  @Test
  void aPatchWaitingOnALockHeldElsewhereAnswersBusyWithinAboutThreeSeconds() throws Exception {
    Map<String, String> member = Teams.bearer(Teams.create(rig.env, Tier.PRO).apiKey());
    String slug = rig.created(member, ONE_WEB).get("stack_id").asString();
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(rig.env));
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT 1 FROM stacks WHERE slug = '" + slug + "' FOR UPDATE");

      long started = System.nanoTime();
      HttpResponse<String> res =
          rig.patch("/stacks/" + slug + "/env", "{\"env\":{\"A\":\"1\"}}", member);
      Duration waited = Duration.ofNanos(System.nanoTime() - started);

      assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
      assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("stack_busy");
      assertThat(res.headers().firstValue("Retry-After")).contains("2");
      assertThat(waited).isLessThan(Duration.ofSeconds(10));
      c.rollback();
    }
    assertThat(rig.scalar("SELECT env_vars::text FROM stacks WHERE slug = '" + slug + "'"))
        .isEqualTo("{}");
  }

  @Test
  void aDeletingStackTakesNoEnvAndNoRedeploy() throws Exception {
    Map<String, String> member = Teams.bearer(Teams.create(rig.env, Tier.PRO).apiKey());
    String slug = rig.created(member, ONE_WEB).get("stack_id").asString();
    rig.count(
        "WITH u AS (UPDATE stacks SET status = 'deleting' WHERE slug = '"
            + slug
            + "' RETURNING 1) SELECT count(*) FROM u");

    HttpResponse<String> patch =
        rig.patch("/stacks/" + slug + "/env", "{\"env\":{\"A\":\"1\"}}", member);
    HttpResponse<String> redeploy = rig.http.post("/stacks/" + slug + "/redeploy", "", member);

    assertThat(patch.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(patch.body()).get("error").asString()).isEqualTo("stack_deleting");
    assertThat(redeploy.statusCode()).isEqualTo(409);
    assertThat(rig.scalar("SELECT env_vars::text FROM stacks WHERE slug = '" + slug + "'"))
        .isEqualTo("{}");
  }

  @Test
  void redeployAppliesThePersistedEnvUnderTheManifestsOwnAndRollsThePods() throws Exception {
    Map<String, String> member = Teams.bearer(Teams.create(rig.env, Tier.PRO).apiKey());
    String slug =
        rig.created(
                member,
                "{\"services\":{\"web\":{\"image\":\"nginx\",\"env\":{\"MODE\":\"manifest\"}}}}")
            .get("stack_id")
            .asString();
    await().atMost(Duration.ofSeconds(20)).until(() -> digest(slug) != null);
    String before = digest(slug);
    rig.patch(
        "/stacks/" + slug + "/env", "{\"env\":{\"FEATURE\":\"on\",\"MODE\":\"patched\"}}", member);

    HttpResponse<String> res = rig.http.post("/stacks/" + slug + "/redeploy", "", member);

    assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
    assertThat(JSON.readTree(res.body()).get("status").asString()).isEqualTo("deploying");
    await().atMost(Duration.ofSeconds(20)).until(() -> !before.equals(digest(slug)));
    assertThat(
            client.secrets().inNamespace(namespace(slug)).withName("web-env").get().getStringData())
        .containsEntry("FEATURE", "on")
        .as("the manifest's env wins over the persisted one")
        .containsEntry("MODE", "manifest");
  }

  @Test
  void aTeamRunsAsManyStacksAsItsPlanAllowsEvenWhenCreatingAtOnce() throws Exception {
    TeamBootstrap.Bootstrapped hobby = Teams.create(rig.env, Tier.HOBBY);
    Map<String, String> member = Teams.bearer(hobby.apiKey());
    List<Callable<HttpResponse<String>>> creates = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      creates.add(() -> rig.create(member, "app", ONE_WEB));
    }
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (Future<HttpResponse<String>> f : pool.invokeAll(creates)) {
        statuses.add(f.get().statusCode());
      }
    }
    assertThat(statuses).as("hobby runs one stack").containsExactlyInAnyOrder(202, 402, 402, 402);
    HttpResponse<String> over = rig.create(member, "app", ONE_WEB);
    JsonNode error = JSON.readTree(over.body());
    assertThat(error.get("error").asString()).isEqualTo("deployment_limit_reached");
    assertThat(error.get("upgrade_url").asString()).isNotBlank();
    HttpResponse<String> free =
        rig.create(Teams.bearer(Teams.create(rig.env, Tier.FREE).apiKey()), "app", ONE_WEB);
    assertThat(free.statusCode()).as("free runs none").isEqualTo(402);
  }

  @Test
  void anonymousStacksShareTheNetworksDailyProvisionsWithResources() throws Exception {
    Map<String, String> me = from("10.30.1.1");
    for (int i = 0; i < 3; i++) {
      rig.provision("/db/new", me);
    }
    rig.created(me, ONE_WEB);
    rig.created(me, ONE_WEB);

    HttpResponse<String> sixth = rig.create(me, "app", ONE_WEB);

    assertThat(sixth.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(sixth.body()).get("error").asString())
        .isEqualTo("provision_limit_reached");
    assertThat(rig.http.post("/db/new", "{\"name\":\"x\"}", me).statusCode()).isEqualTo(429);
  }

  @Test
  void theTeamsStacksArePagedNewestFirst() throws Exception {
    Map<String, String> member = Teams.bearer(Teams.create(rig.env, Tier.PRO).apiKey());
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(rig.created(member, ONE_WEB).get("stack_id").asString());
    }
    JsonNode first = JSON.readTree(rig.http.get("/api/v1/stacks?limit=2", member).body());
    assertThat(first.get("items")).hasSize(2);
    assertThat(first.get("cluster").asString()).isEqualTo("kubernetes");
    JsonNode item = first.get("items").get(0);
    assertThat(item.get("stack_id").asString()).isEqualTo(made.get(2));
    assertThat(item.get("namespace").asString()).isEqualTo(namespace(made.get(2)));
    assertThat(item.get("tier").asString()).isEqualTo("pro");
    JsonNode second =
        JSON.readTree(
            rig.http
                .get("/api/v1/stacks?limit=2&cursor=" + first.get("next_cursor").asString(), member)
                .body());
    assertThat(second.get("items")).hasSize(1);
    assertThat(second.get("items").get(0).get("stack_id").asString()).isEqualTo(made.get(0));
    assertThat(second.get("next_cursor").isNull()).isTrue();
    assertThat(rig.http.get("/api/v1/stacks", from("10.30.2.1")).statusCode()).isEqualTo(401);
  }

  @Test
  void claimingWithTheStacksTokenMovesItIntoTheTeamWhereItKeepsItsExpiry() throws Exception {
    Map<String, String> me = from("10.30.3.1");
    JsonNode db = rig.provision("/db/new", me);
    JsonNode cache = rig.provision("/cache/new", me);
    JsonNode stack =
        rig.created(
            with(
                me,
                "X-Instanode-Upgrade",
                cache.get("upgrade_jwt").asString() + "," + db.get("upgrade_jwt").asString()),
            "{\"services\":{\"web\":{\"image\":\"nginx\",\"needs\":[\""
                + db.get("token").asString()
                + "\"]}}}");
    String slug = stack.get("stack_id").asString();
    JsonNode stranger = rig.created(from("10.30.3.1"), ONE_WEB);

    HttpResponse<String> claimed =
        rig.http.post(
            "/claim",
            "{\"email\":\"stack-owner-"
                + System.nanoTime()
                + "@example.com\",\"token\":\""
                + stack.get("upgrade_jwt").asString()
                + "\"}",
            me);

    assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
    String team = JSON.readTree(claimed.body()).get("team_id").asString();
    assertThat(
            rig.scalar(
                "SELECT team_id::text || ' ' || tier || ' ' || (expires_at IS NOT NULL)"
                    + " FROM stacks WHERE slug = '"
                    + slug
                    + "'"))
        .as("a free team runs no stack of its own: a claimed one keeps its expiry")
        .isEqualTo(team + " free true");
    assertThat(
            rig.scalar(
                "SELECT team_id::text FROM resources WHERE token = '"
                    + db.get("token").asString()
                    + "'"))
        .as("what the stack runs on came along")
        .isEqualTo(team);
    assertThat(
            rig.scalar(
                "SELECT team_id::text FROM resources WHERE token = '"
                    + cache.get("token").asString()
                    + "'"))
        .as("and what the token sent back listed")
        .isEqualTo(team);
    assertThat(
            rig.scalar(
                "SELECT team_id IS NULL FROM stacks WHERE slug = '"
                    + stranger.get("stack_id").asString()
                    + "'"))
        .as("a stack from the same network that the token does not list stays anonymous")
        .isEqualTo("t");
  }

  @Test
  void anUpgradeGivesTheTeamsStacksTheNewTierAndNoExpiry() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.HOBBY);
    String slug = rig.created(Teams.bearer(team.apiKey()), ONE_WEB).get("stack_id").asString();
    rig.count(
        "WITH u AS (UPDATE stacks SET expires_at = now() + interval '1 day'"
            + " WHERE slug = '"
            + slug
            + "' RETURNING 1) SELECT count(*) FROM u");

    HttpResponse<String> res =
        rig.http.post(
            "/internal/teams/" + team.team().id() + "/plan",
            "{\"tier\":\"pro\"}",
            Map.of(
                "Authorization",
                "Bearer " + PlanChangeHttpTest.internalToken("i".repeat(32)),
                "Content-Type",
                "application/json"));

    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    assertThat(
            rig.scalar(
                "SELECT tier || ' ' || (expires_at IS NULL) FROM stacks WHERE slug = '"
                    + slug
                    + "'"))
        .isEqualTo("pro true");
  }

  private static String digest(String slug) {
    var d = client.apps().deployments().inNamespace(namespace(slug)).withName("web").get();
    return d == null
        ? null
        : d.getSpec().getTemplate().getMetadata().getAnnotations().get("instanode.dev/env-sha256");
  }
}
