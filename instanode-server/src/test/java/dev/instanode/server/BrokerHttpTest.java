package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.TestPostgres;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Service Broker API against the real server, walked the way a platform does: catalog,
 * provision, bind, unbind, deprovision, with the spec's repeats, conflicts and refusals, and the
 * credentials each binding returns used for real.
 */
class BrokerHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PASSWORD = "broker-password-0123456789";

  @RegisterExtension
  static final RunningApi api = RunningApi.with("OSB_USERNAME", "cf", "OSB_PASSWORD", PASSWORD);

  @BeforeAll
  static void catalogIds() {
    BrokerIds ids = BrokerIds.of(api.env());
    PG = ids.service(ResourceType.POSTGRES);
    REDIS = ids.service(ResourceType.REDIS);
    PG_HOBBY = ids.plan(ResourceType.POSTGRES, Tier.HOBBY);
    PG_GROWTH = ids.plan(ResourceType.POSTGRES, Tier.GROWTH);
    REDIS_HOBBY = ids.plan(ResourceType.REDIS, Tier.HOBBY);
  }

  private static String PG;
  private static String PG_HOBBY;
  private static String PG_GROWTH;
  private static String REDIS;
  private static String REDIS_HOBBY;

  private static OsbCalls osb() {
    return new OsbCalls(api.http(), "cf", PASSWORD);
  }

  private static Map<String, String> platform() {
    return osb().headers();
  }

  private static String basic(String user, String password) {
    return OsbCalls.basic(user, password);
  }

  private static String identity(String userId) {
    return "cloudfoundry "
        + Base64.getEncoder()
            .encodeToString(("{\"user_id\":\"" + userId + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> provision(String id, String service, String plan) {
    return osb()
        .provision(
            id, "", service, plan, Map.of("X-Broker-API-Originating-Identity", identity("alice")));
  }

  private static HttpResponse<String> deprovision(String id, String service, String plan) {
    return osb().deprovision(id, service, plan);
  }

  private static HttpResponse<String> bind(
      String instance, String binding, String service, String plan) {
    return osb().bind(instance, binding, service, plan);
  }

  private static HttpResponse<String> unbind(
      String instance, String binding, String service, String plan) {
    return osb().unbind(instance, binding, service, plan);
  }

  private static Map<String, String> with(Map<String, String> h, String name, String value) {
    Map<String, String> copy = new HashMap<>(h);
    copy.put(name, value);
    return copy;
  }

  private static JsonNode body(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static JsonNode credentials(HttpResponse<String> res, int status) {
    return body(res, status).get("credentials");
  }

  private static String selectOne(String url) throws SQLException {
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT session_user")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static List<String> platformRows(String sql, String parameter) {
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      return db.jdbi()
          .withHandle(h -> h.createQuery(sql).bind(0, parameter).mapTo(String.class).list());
    }
  }

  private static void platformUpdate(String sql, String parameter) {
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      db.jdbi().useHandle(h -> h.createUpdate(sql).bind(0, parameter).execute());
    }
  }

  private static boolean databaseExists(String database) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        java.sql.PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  @Test
  void theCatalogNeedsTheBrokersCredentialsAndAVersionAndListsStableIds() {
    HttpResponse<String> none = api.http().get("/v2/catalog");
    assertThat(body(none, 401).get("description").asString()).contains("Basic auth");
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    Map<String, String> wrong = with(platform(), "Authorization", basic("cf", PASSWORD + "x"));
    body(api.http().get("/v2/catalog", wrong), 401);
    Map<String, String> noVersion = platform();
    noVersion.remove("X-Broker-API-Version");
    assertThat(body(api.http().get("/v2/catalog", noVersion), 412).get("description").asString())
        .contains("X-Broker-API-Version");
    body(api.http().get("/v2/catalog", with(platform(), "X-Broker-API-Version", "2.12")), 412);
    body(
        api.http().get("/v2/catalog", with(platform(), "X-Broker-API-Version", "2.99999999999")),
        412);

    HttpResponse<String> res =
        api.http().get("/v2/catalog", with(platform(), "X-Broker-API-Request-Identity", "req-1"));
    JsonNode catalog = body(res, 200);
    assertThat(res.headers().firstValue("X-Broker-API-Request-Identity")).hasValue("req-1");
    List<String> services = new java.util.ArrayList<>();
    catalog.get("services").forEach(service -> services.add(service.get("name").asString()));
    assertThat(services)
        .containsExactly(
            "instanode-postgres", "instanode-redis", "instanode-webhook", "instanode-storage");
    JsonNode postgres = catalog.get("services").get(0);
    // Made from this installation's id: another installation's broker offers other ids.
    String installation = BrokerIds.of(api.env()).installation();
    assertThat(postgres.get("id").asString())
        .isEqualTo(
            UUID.nameUUIDFromBytes(("instanode." + installation + ".service.postgres").getBytes())
                .toString())
        .isNotEqualTo(new BrokerIds(UUID.randomUUID().toString()).service(ResourceType.POSTGRES));
    assertThat(postgres.get("bindable").asBoolean()).isTrue();
    assertThat(postgres.get("plans").findValuesAsString("name"))
        .containsExactly("hobby", "hobby-plus", "pro", "growth", "team");
    assertThat(postgres.get("plans").findValuesAsString("id")).contains(PG_HOBBY, PG_GROWTH);
    // The same ids on a second read (and on any install): derived from names only.
    assertThat(body(api.http().get("/v2/catalog", platform()), 200)).isEqualTo(catalog);
  }

  @Test
  void instancesAndBindingsCanBeFetchedOnceMadeAndNotAfterTheyGo() {
    String instance = UUID.randomUUID().toString();
    String path = "/v2/service_instances/" + instance;
    assertThat(body(api.http().get(path, platform()), 404).size()).isZero();
    body(provision(instance, REDIS, REDIS_HOBBY), 201);
    JsonNode fetched = body(api.http().get(path, platform()), 200);
    assertThat(fetched.get("service_id").asString()).isEqualTo(REDIS);
    assertThat(fetched.get("plan_id").asString()).isEqualTo(REDIS_HOBBY);

    JsonNode bound = credentials(bind(instance, "fetch-me", REDIS, REDIS_HOBBY), 201);
    assertThat(credentials(api.http().get(path + "/service_bindings/fetch-me", platform()), 200))
        .isEqualTo(bound);
    // A binding is fetched through its own instance only.
    String other = UUID.randomUUID().toString();
    body(provision(other, REDIS, REDIS_HOBBY), 201);
    body(
        api.http().get("/v2/service_instances/" + other + "/service_bindings/fetch-me", platform()),
        404);

    body(unbind(instance, "fetch-me", REDIS, REDIS_HOBBY), 200);
    body(api.http().get(path + "/service_bindings/fetch-me", platform()), 404);
    body(deprovision(instance, REDIS, REDIS_HOBBY), 200);
    body(deprovision(other, REDIS, REDIS_HOBBY), 200);
    body(api.http().get(path, platform()), 404);
    JsonNode catalog = body(api.http().get("/v2/catalog", platform()), 200);
    assertThat(catalog.get("services").get(0).get("instances_retrievable").asBoolean()).isTrue();
    assertThat(catalog.get("services").get(0).get("bindings_retrievable").asBoolean()).isTrue();
  }

  @Test
  void eachBindingIsALoginOfItsOwnAndUnbindingOneLeavesTheOtherWorking() throws Exception {
    String instance = UUID.randomUUID().toString();
    assertThat(body(provision(instance, PG, PG_HOBBY), 201).size()).isZero();
    // The same request again is 200; the id with other attributes is 409 {}.
    body(provision(instance, PG, PG_HOBBY), 200);
    assertThat(body(provision(instance, PG, PG_GROWTH), 409).size()).isZero();
    assertThat(
            body(
                    api.http()
                        .get("/v2/service_instances/" + instance + "/last_operation", platform()),
                    200)
                .get("state")
                .asString())
        .isEqualTo("succeeded");

    JsonNode first = credentials(bind(instance, "binding-a", PG, PG_HOBBY), 201);
    JsonNode second = credentials(bind(instance, "binding-b", PG, PG_HOBBY), 201);
    assertThat(first.get("username").asString())
        .startsWith("bnd_")
        .isNotEqualTo(second.get("username").asString());
    assertThat(first.get("database").asString()).isEqualTo(second.get("database").asString());
    // A repeated bind answers the same credentials; another attribute for the id is 409.
    assertThat(credentials(bind(instance, "binding-a", PG, PG_HOBBY), 200)).isEqualTo(first);
    body(bind(instance, "binding-a", PG, PG_GROWTH), 409);

    String a = first.get("uri").asString();
    String b = second.get("uri").asString();
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(a));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (body text)");
      s.execute("INSERT INTO notes VALUES ('from a')");
    }
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(b));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM notes")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("from a");
    }

    assertThat(body(unbind(instance, "binding-a", PG, PG_HOBBY), 200).size()).isZero();
    assertThatThrownBy(() -> selectOne(a)).isInstanceOf(SQLException.class);
    assertThat(selectOne(b)).isEqualTo(second.get("username").asString());
    body(unbind(instance, "binding-a", PG, PG_HOBBY), 410);

    assertThat(
            platformRows(
                "SELECT metadata->'originating_identity'->>'platform' || ':'"
                    + " || (metadata->'originating_identity'->'identity'->>'user_id')"
                    + " FROM audit_log WHERE kind = 'broker.provisioned'"
                    + " AND metadata->>'instance_id' = ?",
                instance))
        .containsExactly("cloudfoundry:alice");
    assertThat(
            platformRows(
                "SELECT kind FROM audit_log WHERE metadata->>'instance_id' = ? ORDER BY created_at",
                instance))
        .containsExactly("broker.provisioned", "broker.bound", "broker.bound", "broker.unbound");

    String database = first.get("database").asString();
    assertThat(body(deprovision(instance, PG, PG_HOBBY), 200).size()).isZero();
    assertThatThrownBy(() -> selectOne(b)).isInstanceOf(SQLException.class);
    assertThat(databaseExists(database)).isFalse();
    body(deprovision(instance, PG, PG_HOBBY), 410);
    body(api.http().get("/v2/service_instances/" + instance + "/last_operation", platform()), 410);
  }

  @Test
  void aRedisBindingIsAnAclUserOfItsOwnConfinedToTheInstancesKeys() {
    String instance = UUID.randomUUID().toString();
    body(provision(instance, REDIS, REDIS_HOBBY), 201);
    JsonNode first = credentials(bind(instance, "cache-a", REDIS, REDIS_HOBBY), 201);
    JsonNode second = credentials(bind(instance, "cache-b", REDIS, REDIS_HOBBY), 201);
    String prefix = first.get("key_prefix").asString();
    assertThat(second.get("key_prefix").asString()).isEqualTo(prefix);
    try (RedisClient client = RedisClient.create()) {
      try (StatefulRedisConnection<String, String> a =
              client.connect(io.lettuce.core.RedisURI.create(first.get("uri").asString()));
          StatefulRedisConnection<String, String> b =
              client.connect(io.lettuce.core.RedisURI.create(second.get("uri").asString()))) {
        a.sync().set(prefix + "k", "v");
        assertThat(b.sync().get(prefix + "k")).isEqualTo("v");
        assertThatThrownBy(() -> a.sync().set("elsewhere", "v"))
            .isInstanceOf(RedisException.class)
            .hasMessageContaining("NOPERM");
      }
      body(unbind(instance, "cache-a", REDIS, REDIS_HOBBY), 200);
      assertThatThrownBy(
              () -> client.connect(io.lettuce.core.RedisURI.create(first.get("uri").asString())))
          .isInstanceOf(RedisException.class);
      try (StatefulRedisConnection<String, String> b =
          client.connect(io.lettuce.core.RedisURI.create(second.get("uri").asString()))) {
        assertThat(b.sync().get(prefix + "k")).isEqualTo("v");
      }
      body(deprovision(instance, REDIS, REDIS_HOBBY), 200);
      assertThatThrownBy(
              () -> client.connect(io.lettuce.core.RedisURI.create(second.get("uri").asString())))
          .isInstanceOf(RedisException.class);
    }
  }

  @Test
  void aProvisionThePlatformGaveUpOnIsDeprovisionedAndOneLeftUnrecordedIsFoundAndDropped()
      throws Exception {
    // Orphan mitigation: the platform timed out, so it deprovisions what it asked for.
    String timedOut = UUID.randomUUID().toString();
    body(provision(timedOut, PG, PG_HOBBY), 201);
    body(deprovision(timedOut, PG, PG_HOBBY), 200);
    body(provision(timedOut, PG, PG_HOBBY), 201);
    body(deprovision(timedOut, PG, PG_HOBBY), 200);

    // A process that stopped between making the resource and recording it: the row names no
    // resource. While the provision could still be running the platform is told to retry...
    String unrecorded = UUID.randomUUID().toString();
    body(provision(unrecorded, PG, PG_HOBBY), 201);
    String token =
        platformRows(
                "SELECT resource_token::text FROM broker_instances WHERE instance_id = ?",
                unrecorded)
            .getFirst();
    platformUpdate(
        "UPDATE broker_instances SET resource_token = NULL, state = 'provisioning'"
            + " WHERE instance_id = ?",
        unrecorded);
    assertThat(body(deprovision(unrecorded, PG, PG_HOBBY), 422).get("error").asString())
        .isEqualTo("ConcurrencyError");
    body(bind(unrecorded, "early", PG, PG_HOBBY), 422);
    // ...and once it cannot be, the resource is found by its name and dropped.
    platformUpdate(
        "UPDATE broker_instances SET created_at = now() - interval '10 minutes'"
            + " WHERE instance_id = ?",
        unrecorded);
    body(deprovision(unrecorded, PG, PG_HOBBY), 200);
    assertThat(platformRows("SELECT status FROM resources WHERE token = ?::uuid", token))
        .containsExactly("deleted");
    assertThat(databaseExists("db_" + token)).isFalse();
  }

  @Test
  void aSuspendedInstanceStillLosesAnUnboundLoginAndAnEndingOneHandsOutNoCredentials()
      throws Exception {
    String instance = UUID.randomUUID().toString();
    body(provision(instance, PG, PG_HOBBY), 201);
    JsonNode kept = credentials(bind(instance, "kept", PG, PG_HOBBY), 201);
    JsonNode leaked = credentials(bind(instance, "leaked", PG, PG_HOBBY), 201);
    String token =
        platformRows(
                "SELECT resource_token::text FROM broker_instances WHERE instance_id = ?", instance)
            .getFirst();
    platformUpdate("UPDATE resources SET status = 'suspended' WHERE token = ?::uuid", token);
    // Unbinding a leaked login while the instance is suspended must still end it.
    body(unbind(instance, "leaked", PG, PG_HOBBY), 200);
    assertThatThrownBy(() -> selectOne(leaked.get("uri").asString()))
        .isInstanceOf(SQLException.class);
    platformUpdate("UPDATE resources SET status = 'active' WHERE token = ?::uuid", token);
    assertThat(selectOne(kept.get("uri").asString())).isEqualTo(kept.get("username").asString());

    // A repeated bind of an instance being deprovisioned is no success.
    platformUpdate(
        "UPDATE broker_instances SET state = 'deleting' WHERE instance_id = ?", instance);
    assertThat(body(bind(instance, "kept", PG, PG_HOBBY), 422).get("error").asString())
        .isEqualTo("ConcurrencyError");
    body(deprovision(instance, PG, PG_HOBBY), 200);
    assertThatThrownBy(() -> selectOne(kept.get("uri").asString()))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void badRequestsGetTheSpecsErrorBodyAndCreateNothing() {
    String instance = UUID.randomUUID().toString();
    assertThat(
            body(api.http().send("PUT", "/v2/service_instances/" + instance, "{}", platform()), 400)
                .get("description")
                .asString())
        .contains("service_id");
    body(provision(instance, PG, REDIS_HOBBY), 400);
    body(
        api.http()
            .send(
                "PUT",
                "/v2/service_instances/" + instance,
                "{\"service_id\":\""
                    + PG
                    + "\",\"plan_id\":\""
                    + PG_HOBBY
                    + "\",\"parameters\":{\"name\":\"mine\"}}",
                platform()),
        400);
    body(api.http().send("PUT", "/v2/service_instances/" + instance, "not json", platform()), 400);
    body(
        api.http()
            .send(
                "PUT",
                "/v2/service_instances/" + instance,
                "{\"service_id\":\"" + PG + "\",\"plan_id\":\"" + PG_HOBBY + "\"}",
                with(platform(), "X-Broker-API-Originating-Identity", "cloudfoundry not-base64!")),
        400);
    body(api.http().delete("/v2/service_instances/" + instance, platform()), 400);
    body(
        api.http()
            .send(
                "PUT",
                "/v2/service_instances/" + "i".repeat(256),
                "{\"service_id\":\"" + PG + "\",\"plan_id\":\"" + PG_HOBBY + "\"}",
                platform()),
        400);
    body(deprovision(instance, PG, PG_HOBBY), 410);
    body(bind(instance, "nothing", PG, PG_HOBBY), 422);
    body(unbind(instance, "nothing", PG, PG_HOBBY), 410);
    assertThat(
            platformRows(
                "SELECT instance_id FROM broker_instances WHERE instance_id = ?", instance))
        .isEmpty();
  }
}
