package dev.instanode.server;

import static dev.instanode.server.StackRig.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A broker plan with servers of their own, on the fabric8 mock cluster: provisioning is
 * asynchronous (422 AsyncRequired without accepts_incomplete, 202 with it), polled through
 * last_operation, and a deprovision while the server is still starting is a ConcurrencyError; a
 * Redis on its own server is bound like any other.
 */
@EnableKubernetesMockClient(crud = true)
class BrokerDedicatedHttpTest {
  private static final String PASSWORD = "broker-password-0123456789";
  private static String PG;
  private static String PG_PRO;
  private static String REDIS;
  private static String REDIS_PRO;

  static KubernetesClient client;
  private static FakeKubelet kubelet;
  private static StackRig rig;

  @BeforeAll
  static void start() throws Exception {
    kubelet = new FakeKubelet(client);
    rig =
        StackRig.start(
            client,
            Set.of(Role.API),
            Map.of(
                "DEDICATED_READY_TIMEOUT", "90s", "OSB_USERNAME", "k8s", "OSB_PASSWORD", PASSWORD),
            Optional.of(kubelet.addresses()));
    BrokerIds ids = BrokerIds.of(rig.env);
    PG = ids.service(ResourceType.POSTGRES);
    REDIS = ids.service(ResourceType.REDIS);
    PG_PRO = ids.plan(ResourceType.POSTGRES, Tier.PRO);
    REDIS_PRO = ids.plan(ResourceType.REDIS, Tier.PRO);
  }

  @AfterAll
  static void stop() {
    rig.close();
    kubelet.close();
  }

  private static OsbCalls osb() {
    return new OsbCalls(rig.http, "k8s", PASSWORD);
  }

  private static Map<String, String> platform() {
    return osb().headers();
  }

  private static HttpResponse<String> provision(String id, String query) {
    return provision(id, query, PG, PG_PRO);
  }

  private static HttpResponse<String> provision(
      String id, String query, String service, String plan) {
    return osb().provision(id, query, service, plan, Map.of());
  }

  private static String state(String id) {
    HttpResponse<String> res =
        rig.http.get(
            "/v2/service_instances/" + id + "/last_operation?operation=provision", platform());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body()).get("state").asString();
  }

  private static HttpResponse<String> deprovision(String id) {
    return deprovision(id, PG, PG_PRO);
  }

  private static HttpResponse<String> deprovision(String id, String service, String plan) {
    return osb().deprovision(id, service, plan);
  }

  @Test
  void aRedisPlanWithItsOwnServerIsOfferedAndItsInstanceBoundLikeAnyOther() {
    HttpResponse<String> res = rig.http.get("/v2/catalog", platform());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonNode services = JSON.readTree(res.body()).get("services");
    assertThat(services.get(1).get("name").asString()).isEqualTo("instanode-redis");
    assertThat(services.get(1).get("plans").findValuesAsString("name"))
        .containsExactly("hobby", "hobby-plus", "pro", "growth", "team");

    String instance = UUID.randomUUID().toString();
    HttpResponse<String> accepted =
        provision(instance, "?accepts_incomplete=true", REDIS, REDIS_PRO);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(60)).until(() -> state(instance).equals("succeeded"));
    // On a server of its own: a namespace of the instance's.
    assertThat(client.namespaces().list().getItems())
        .anySatisfy(n ->
            assertThat(n.getMetadata().getLabels())
                .containsEntry("instanode.dev/resource-type", "redis"));

    HttpResponse<String> bound = osb().bind(instance, "cache-a", REDIS, REDIS_PRO);
    assertThat(bound.statusCode()).as(bound.body()).isEqualTo(201);
    JsonNode credentials = JSON.readTree(bound.body()).get("credentials");
    String uri = credentials.get("uri").asString();
    assertThat(credentials.get("username").asString()).startsWith("bnd_");
    try (RedisClient redis = RedisClient.create(uri);
        StatefulRedisConnection<String, String> c = redis.connect()) {
      assertThat(c.sync().set("k", "v")).isEqualTo("OK");
      assertThat(c.sync().get("k")).isEqualTo("v");
    }

    HttpResponse<String> unbound = osb().unbind(instance, "cache-a", REDIS, REDIS_PRO);
    assertThat(unbound.statusCode()).as(unbound.body()).isEqualTo(200);
    try (RedisClient redis = RedisClient.create(uri)) {
      assertThatThrownBy(redis::connect).hasStackTraceContaining("WRONGPASS");
    }

    HttpResponse<String> gone = deprovision(instance, REDIS, REDIS_PRO);
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(200);
    assertThat(client.namespaces().list().getItems())
        .noneSatisfy(n ->
            assertThat(n.getMetadata().getLabels())
                .containsEntry("instanode.dev/resource-type", "redis"));
  }

  @Test
  void aPlanWithItsOwnServerIsProvisionedAsynchronouslyAndPolled() {
    String instance = UUID.randomUUID().toString();
    HttpResponse<String> sync = provision(instance, "");
    assertThat(sync.statusCode()).as(sync.body()).isEqualTo(422);
    assertThat(JSON.readTree(sync.body()).get("error").asString()).isEqualTo("AsyncRequired");

    kubelet.hold("ContainerCreating");
    try {
      HttpResponse<String> accepted = provision(instance, "?accepts_incomplete=true");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      assertThat(JSON.readTree(accepted.body()).get("operation").asString()).isEqualTo("provision");
      // A repeat while it runs is 202 again; the platform polls.
      assertThat(provision(instance, "?accepts_incomplete=true").statusCode()).isEqualTo(202);
      assertThat(state(instance)).isEqualTo("in progress");
      HttpResponse<String> early = deprovision(instance);
      assertThat(early.statusCode()).as(early.body()).isEqualTo(422);
      assertThat(JSON.readTree(early.body()).get("error").asString()).isEqualTo("ConcurrencyError");
    } finally {
      kubelet.release();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> state(instance).equals("succeeded"));
    assertThat(provision(instance, "?accepts_incomplete=true").statusCode()).isEqualTo(200);

    HttpResponse<String> gone = deprovision(instance);
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(200);
    assertThat(deprovision(instance).statusCode()).isEqualTo(410);
  }
}
