package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The vault: versioned secrets sealed at rest, read and written with an audit row each, bounded by
 * the plan; and stacks whose env says {@code vault://KEY}, checked when they are made and read into
 * the Deployment at every apply.
 */
@EnableKubernetesMockClient(crud = true)
class VaultHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static KubernetesClient client;
  private static StackRig rig;

  @BeforeAll
  static void start() {
    rig = StackRig.start(client, Set.of(Role.API), Map.of());
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void everyVersionIsKeptSealedAndReadBackAndDeleteRemovesThemAll() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    Map<String, String> auth = Teams.bearer(team.apiKey());
    assertThat(
            json(put("production", "STRIPE_KEY", "sk_live_one", auth), 200).get("version").asInt())
        .isEqualTo(1);
    assertThat(
            json(put("production", "STRIPE_KEY", "sk_live_two", auth), 200).get("version").asInt())
        .isEqualTo(2);

    JsonNode newest = json(rig.http.get("/api/v1/vault/production/STRIPE_KEY", auth), 200);
    assertThat(newest.get("value").asString()).isEqualTo("sk_live_two");
    assertThat(newest.get("version").asInt()).isEqualTo(2);
    JsonNode first = json(rig.http.get("/api/v1/vault/production/STRIPE_KEY?version=1", auth), 200);
    assertThat(first.get("value").asString()).isEqualTo("sk_live_one");
    assertThat(rig.http.get("/api/v1/vault/production/STRIPE_KEY?version=9", auth).statusCode())
        .isEqualTo(404);
    assertThat(error(rig.http.get("/api/v1/vault/production/STRIPE_KEY?version=x", auth)))
        .isEqualTo("invalid_query");

    HttpResponse<String> listed = rig.http.get("/api/v1/vault/production", auth);
    JsonNode item = json(listed, 200).get("items").get(0);
    assertThat(item.get("key").asString()).isEqualTo("STRIPE_KEY");
    assertThat(item.get("versions").asInt()).isEqualTo(2);
    assertThat(listed.body()).doesNotContain("sk_live");
    assertThat(
            rig.scalar(
                "SELECT string_agg(value_encrypted, ',') FROM vault_secrets WHERE team_id = '"
                    + team.team().id()
                    + "'"))
        .as("sealed at rest")
        .doesNotContain("sk_live");

    assertThat(rig.http.delete("/api/v1/vault/production/STRIPE_KEY", auth).statusCode())
        .isEqualTo(200);
    assertThat(rig.http.get("/api/v1/vault/production/STRIPE_KEY", auth).statusCode())
        .isEqualTo(404);
    assertThat(rig.http.get("/api/v1/vault/production/STRIPE_KEY?version=1", auth).statusCode())
        .isEqualTo(404);
    assertThat(json(put("production", "STRIPE_KEY", "sk_three", auth), 200).get("version").asInt())
        .as("a version number is never reused")
        .isEqualTo(3);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() ->
            rig.count(
                    "SELECT count(*) FROM audit_log WHERE team_id = '"
                        + team.team().id()
                        + "' AND kind = 'vault.read'")
                == 2);
    assertThat(
            rig.count(
                "SELECT count(*) FROM audit_log WHERE team_id = '"
                    + team.team().id()
                    + "' AND kind = 'vault.write'"))
        .isEqualTo(4);
    assertThat(
            rig.scalar(
                "SELECT string_agg(metadata::text || summary, ',') FROM audit_log WHERE team_id"
                    + " = '"
                    + team.team().id()
                    + "'"))
        .doesNotContain("sk_live");
  }

  @Test
  void thePlanBoundsEntriesAndEnvsAndAReadKeyCannotRevealAValue() throws Exception {
    TeamBootstrap.Bootstrapped free = Teams.create(rig.env, Tier.FREE);
    assertThat(error(put("prod", "A", "x", Teams.bearer(free.apiKey()))))
        .isEqualTo("upgrade_required");

    TeamBootstrap.Bootstrapped hobby = Teams.create(rig.env, Tier.HOBBY);
    Map<String, String> auth = Teams.bearer(hobby.apiKey());
    HttpResponse<String> otherEnv = put("development", "A", "x", auth);
    assertThat(otherEnv.statusCode()).isEqualTo(402);
    assertThat(error(otherEnv)).isEqualTo("upgrade_required");
    for (int i = 0; i < 20; i++) {
      json(put("prod", "KEY_" + i, "v", auth), 200);
    }
    HttpResponse<String> full = put("prod", "KEY_20", "v", auth);
    assertThat(full.statusCode()).isEqualTo(402);
    assertThat(error(full)).isEqualTo("vault_limit_reached");
    assertThat(put("prod", "KEY_3", "new", auth).statusCode())
        .as("a new version of a kept key takes no new entry")
        .isEqualTo(200);

    assertThat(error(put("prod", "lower_case", "v", auth))).isEqualTo("invalid_vault_key");
    assertThat(error(put("Prod!", "A", "v", auth))).isEqualTo("invalid_env");

    String session = Teams.session(rig.env, hobby);
    String readKey =
        json(
                rig.http.post(
                    "/api/v1/auth/api-keys",
                    "{\"name\":\"r\",\"scopes\":[\"read\"]}",
                    Teams.bearer(session)),
                201)
            .get("key")
            .asString();
    assertThat(error(rig.http.get("/api/v1/vault/prod/KEY_3", Teams.bearer(readKey))))
        .isEqualTo("insufficient_scope");
    assertThat(rig.http.get("/api/v1/vault/prod", Teams.bearer(readKey)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aStackReadsItsVaultReferencesAtEveryApply() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(rig.env, Tier.PRO);
    Map<String, String> auth = Teams.bearer(team.apiKey());
    json(put("production", "STRIPE_KEY", "sk_first", auth), 200);
    String manifest =
        "{\"services\":{\"web\":{\"image\":\"nginx:1.27\","
            + "\"env\":{\"STRIPE\":\"vault://STRIPE_KEY\",\"PLAIN\":\"p\"}}}}";
    HttpResponse<String> made =
        rig.http.post(
            "/stacks/new",
            "{\"name\":\"app\",\"env\":\"production\",\"manifest\":" + manifest + "}",
            auth);
    assertThat(made.statusCode()).as(made.body()).isEqualTo(202);
    String slug = JSON.readTree(made.body()).get("stack_id").asString();
    assertThat(await().atMost(Duration.ofSeconds(10)).until(() -> env(slug), e -> e != null))
        .containsEntry("STRIPE", "sk_first")
        .containsEntry("PLAIN", "p");

    // A new version reaches the next deploy; the stack keeps the reference, not the value.
    json(put("production", "STRIPE_KEY", "sk_second", auth), 200);
    assertThat(rig.http.post("/stacks/" + slug + "/redeploy", "", auth).statusCode())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "sk_second".equals(env(slug).get("STRIPE")));

    HttpResponse<String> missing =
        rig.http.post(
            "/stacks/new",
            "{\"name\":\"app\",\"env\":\"production\",\"manifest\":"
                + manifest.replace("STRIPE_KEY", "NOT_THERE")
                + "}",
            auth);
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(error(missing)).isEqualTo("vault_ref_failed");
    HttpResponse<String> otherEnv =
        rig.http.post(
            "/stacks/new",
            "{\"name\":\"app\",\"env\":\"staging\",\"manifest\":" + manifest + "}",
            auth);
    assertThat(error(otherEnv)).as("the stack's own env's vault").isEqualTo("vault_ref_failed");
    HttpResponse<String> patched =
        rig.patch("/stacks/" + slug + "/env", "{\"env\":{\"X\":\"vault://NOPE\"}}", auth);
    assertThat(error(patched)).isEqualTo("vault_ref_failed");

    HttpResponse<String> anonymous =
        rig.http.post(
            "/stacks/new",
            "{\"name\":\"app\",\"manifest\":" + manifest + "}",
            StackRig.from("198.51.100.7"));
    assertThat(anonymous.statusCode()).isEqualTo(403);
    assertThat(error(anonymous)).isEqualTo("vault_requires_auth");
  }

  /** What the web service's env Secret holds (the Deployment takes its env from it). */
  private static Map<String, String> env(String slug) {
    Secret secret =
        client.secrets().inNamespace(StackRig.namespace(slug)).withName("web-env").get();
    if (secret == null) {
      return null;
    }
    Map<String, String> env = new HashMap<>();
    if (secret.getStringData() != null) {
      env.putAll(secret.getStringData());
    }
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach((k, v) ->
              env.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return env;
  }

  private static HttpResponse<String> put(
      String env, String key, String value, Map<String, String> auth) {
    return rig.http.send(
        "PUT", "/api/v1/vault/" + env + "/" + key, "{\"value\":\"" + value + "\"}", auth);
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
