package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.InfraKey;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The process dies between two steps of a refill, a provision, a pool claim or a delete; a new
 * process starts and runs the reconcilers. Then every customer database and role has a row that
 * names it, no half-made database lets another tenant in, every active row's URL works, and nothing
 * is left half-way.
 *
 * <p>The crash is an {@link Error} thrown from the step hook: it unwinds the thread past every
 * {@code catch (RuntimeException)} of ours, so no rollback or cleanup runs, as after {@code kill
 * -9}. Open transactions roll back, as they do when a killed process's connections drop.
 */
class CrashRecoveryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  enum Flow {
    REFILL,
    PROVISION,
    CLAIM,
    DELETE
  }

  static Stream<Arguments> crashPoints() {
    List<Arguments> points = new ArrayList<>();
    for (String step :
        List.of(
            "pool.record_creating",
            "create_role",
            "create_database",
            "revoke_public_connect",
            "allow_connections",
            "pool.mark_ready")) {
      points.add(Arguments.of(Flow.REFILL, step));
    }
    for (String step :
        List.of(
            "resource.insert_pending",
            "create_role",
            "create_database",
            "revoke_public_connect",
            "allow_connections",
            "resource.activate")) {
      points.add(Arguments.of(Flow.PROVISION, step));
    }
    for (String step : List.of("pool.claimed", "resource.insert_active")) {
      points.add(Arguments.of(Flow.CLAIM, step));
    }
    for (String step :
        List.of(
            "resource.mark_deleting",
            "drop.close",
            "drop.database",
            "drop.role",
            "resource.mark_deleted")) {
      points.add(Arguments.of(Flow.DELETE, step));
    }
    return points.stream();
  }

  @ParameterizedTest(name = "{0} killed after {1}")
  @MethodSource("crashPoints")
  void afterACrashAndARestartEveryDatabaseHasARowNoneIsOpenAndEveryUrlWorks(Flow flow, String step)
      throws Exception {
    Set<String> before = customerObjects();
    Map<String, String> env = TestApplications.environment();
    env.put("POOL_POSTGRES_SIZE", flow == Flow.REFILL || flow == Flow.CLAIM ? "1" : "0");
    CrashAt crash = new CrashAt(step);

    try (Application doomed =
        Application.start(
            Config.from(env),
            Set.of(Role.API),
            new Application.Options(true, crash, crash, Clock.systemUTC()))) {
      run(flow, env, new HttpJson(doomed.port()));
      // The dying thread's Error is the point: Awaitility must not report it as a failure.
      await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).untilTrue(crash.fired);
    }
    // Right after the crash, before anything cleans up: nothing half-made is open.
    for (String name : newSince(before)) {
      if (name.startsWith("db_")) {
        assertThat(openToOtherTenants(name)).as(name + " right after the crash").isFalse();
      }
    }

    // A new process, an hour later by its clock: every grace period has passed.
    Map<String, String> restart = new HashMap<>(env);
    restart.put("POOL_POSTGRES_SIZE", "0");
    restart.put("POOL_REFILL_INTERVAL", "1s");
    restart.put("INSTANODE_JOB_PROVISIONER_RECONCILER_INTERVAL", "1s");
    restart.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    Clock anHourLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    try (Application app =
        Application.start(
            Config.from(restart),
            Set.of(Role.API, Role.WORKER),
            new Application.Options(
                true, ProvisionStepHook.NONE, ProvisionStepHook.NONE, anHourLater))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(halfWayRows(env)).as("rows left half-way").isEmpty());
      Set<String> made = newSince(before);
      Set<String> tracked = trackedNames(env);
      for (String name : made) {
        assertThat(tracked).as("a row names " + name).contains(key(name));
      }

      JsonNode neighbour = provision(new HttpJson(app.port()), Map.of());
      PostgresUrl neighbourUrl = PostgresUrl.parse(neighbour.get("connection_url").asString());
      for (String name : made) {
        if (name.startsWith("db_") && !name.equals(neighbourUrl.database())) {
          PostgresUrl intoOther =
              new PostgresUrl(
                  neighbourUrl.host(),
                  neighbourUrl.port(),
                  name,
                  neighbourUrl.user(),
                  neighbourUrl.password());
          assertThatThrownBy(() -> TestPostgres.connect(intoOther).close())
              .as("another tenant is kept out of " + name)
              .isInstanceOf(SQLException.class);
          assertThat(openToOtherTenants(name)).as("PUBLIC may open " + name).isFalse();
        }
      }

      AesGcm aes = AesGcm.fromHexKey(env.get("AES_KEY"));
      for (String sealed : activeUrls(env)) {
        TestPostgres.connect(PostgresUrl.parse(aes.decrypt(sealed))).close();
      }
    }
  }

  private static void run(Flow flow, Map<String, String> env, HttpJson http) throws Exception {
    switch (flow) {
      case REFILL -> {
        // The pool refills at start; the crash happens there.
      }
      case PROVISION -> attempt(() -> http.postJson("/db/new", "{\"name\":\"crash\"}"));
      case CLAIM -> {
        await()
            .dontCatchUncaughtExceptions()
            .atMost(Duration.ofSeconds(20))
            .until(() ->
                AnonymousGateHttpTest.count(
                        env, "SELECT count(*) FROM provisioner.pool_items WHERE status = 'ready'")
                    == 1);
        attempt(() -> http.postJson("/db/new", "{\"name\":\"crash\"}"));
      }
      case DELETE -> {
        String key = Teams.create(env, Tier.HOBBY).apiKey();
        String token = provision(http, Teams.bearer(key)).get("token").asString();
        attempt(() -> http.delete("/api/v1/resources/" + token, Teams.bearer(key)));
      }
    }
  }

  /** The request whose thread dies: whatever reaches the client, if anything, is not a success. */
  private static void attempt(java.util.function.Supplier<HttpResponse<String>> request) {
    try {
      assertThat(request.get().statusCode()).isGreaterThanOrEqualTo(500);
    } catch (UncheckedIOException e) {
      // The connection died with the thread.
    }
  }

  private static JsonNode provision(HttpJson http, Map<String, String> auth) {
    Map<String, String> headers = new HashMap<>(auth);
    headers.put("Content-Type", "application/json");
    HttpResponse<String> res = http.post("/db/new", "{\"name\":\"crash\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  /** Stops the thread that reaches {@code step}, once. */
  private static final class CrashAt implements ProvisionStepHook {
    private final String step;
    final AtomicBoolean fired = new AtomicBoolean();

    CrashAt(String step) {
      this.step = step;
    }

    @Override
    public void afterStep(String reached, InfraKey key) {
      if (reached.equals(step) && fired.compareAndSet(false, true)) {
        throw new SimulatedCrash(reached);
      }
    }
  }

  private static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String step) {
      super("simulated crash after " + step);
    }
  }

  private static String key(String databaseOrRole) {
    return databaseOrRole.substring(databaseOrRole.indexOf('_') + 1);
  }

  /** Every db_/usr_ database and role on the customer cluster. */
  private static Set<String> customerObjects() throws SQLException {
    Set<String> names = new HashSet<>();
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl())) {
      for (String sql :
          List.of(
              "SELECT datname FROM pg_database WHERE datname LIKE 'db\\_%'",
              "SELECT rolname FROM pg_roles WHERE rolname LIKE 'usr\\_%'")) {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
          while (rs.next()) {
            names.add(rs.getString(1));
          }
        }
      }
    }
    return names;
  }

  /** The naming tokens rows still answer for: live resources and every pool item. */
  private static Set<String> trackedNames(Map<String, String> env) throws SQLException {
    return strings(
        env,
        "SELECT COALESCE(substring(provider_resource_id from 'pooltok:(.*)$'), token::text)"
            + " FROM resources WHERE status NOT IN ('failed','expired','deleted')"
            + " UNION ALL SELECT pool_token FROM provisioner.pool_items");
  }

  private static List<String> halfWayRows(Map<String, String> env) throws SQLException {
    List<String> rows =
        new ArrayList<>(
            strings(
                env,
                "SELECT status || ' ' || token FROM resources WHERE status IN"
                    + " ('pending','deleting')"));
    rows.addAll(
        strings(
            env,
            "SELECT status || ' ' || pool_token FROM provisioner.pool_items WHERE status IN"
                + " ('creating','failed')"));
    return rows;
  }

  private static List<String> activeUrls(Map<String, String> env) throws SQLException {
    return new ArrayList<>(
        strings(env, "SELECT connection_url FROM resources WHERE status = 'active'"));
  }

  private static Set<String> newSince(Set<String> before) throws SQLException {
    Set<String> made = customerObjects();
    made.removeAll(before);
    return made;
  }

  /** Accepts connections and grants PUBLIC (every role) CONNECT or TEMP, as a new database does. */
  private static boolean openToOtherTenants(String database) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        var ps =
            c.prepareStatement(
                "SELECT datallowconn AND (datacl IS NULL OR EXISTS (SELECT 1 FROM"
                    + " aclexplode(datacl) a WHERE a.grantee = 0"
                    + " AND a.privilege_type IN ('CONNECT','TEMPORARY')))"
                    + " FROM pg_database WHERE datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static Set<String> strings(Map<String, String> env, String sql) throws SQLException {
    Set<String> out = new HashSet<>();
    try (Connection c = TestPostgres.connect(TestApplications.platformUrl(env));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
