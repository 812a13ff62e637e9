package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.PostgresUrl;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api and the worker in one process, every part real: an anonymous tenant that writes past its
 * plan loses its writes within one pass of enforce_limits (1 s here), keeps its reads and deletes,
 * gets its writes back once under, and cannot grow while stopped.
 */
class PlanLimitsEndToEndTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long TEN_MB = 10L * 1024 * 1024;
  private static Map<String, String> env;
  private static Application app;
  private static HttpJson http;
  private static RedisClient redisClient;

  @BeforeAll
  static void start() {
    env = TestApplications.environment();
    env.put("INSTANODE_JOB_ENFORCE_LIMITS_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    app =
        Application.start(
            Config.from(env),
            Set.of(Role.API, Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
    http = HttpJson.fromManyNetworks(app.port());
    redisClient = RedisClient.create();
    // A killed connection stays killed, so the count settles where the job left it.
    redisClient.setOptions(ClientOptions.builder().autoReconnect(false).build());
  }

  @AfterAll
  static void stop() {
    redisClient.shutdown();
    app.close();
  }

  @Test
  void aDatabaseOverItsPlanTakesReadsAndDeletesOnlyUntilItIsBackUnder() throws Exception {
    JsonNode made = provision("/db/new");
    String token = made.get("token").asString();
    PostgresUrl url = PostgresUrl.parse(made.get("connection_url").asString());
    try (Connection c = TestPostgres.connect(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE filler (v text)");
      // Stored as written, never compressed: 12 MB of text is 12 MB on disk.
      s.execute("ALTER TABLE filler ALTER COLUMN v SET STORAGE EXTERNAL");
      s.execute(
          "INSERT INTO filler SELECT string_agg(md5(random()::text), '') FROM"
              + " generate_series(1, 12 * 1024 * 1024 / 32) g GROUP BY g % 6000");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              assertThatThrownBy(() -> s.execute("INSERT INTO filler VALUES ('more')"))
                  .hasMessageContaining("permission denied"));
      long blockedAt = databaseSize(url.database());
      assertThat(blockedAt).isGreaterThan(TEN_MB);
      long rows = count(s, "SELECT count(*) FROM filler");
      assertThat(rows).as("reads still work").isGreaterThanOrEqualTo(6000);
      // The row is recorded after the act, at the end of the same pass.
      await().atMost(Duration.ofSeconds(10)).until(() -> storageExceeded(token));
      assertThat(
              Long.parseLong(
                  AnonymousGateHttpTest.scalar(
                      env, "SELECT storage_bytes FROM resources WHERE token = '" + token + "'")))
          .isGreaterThan(TEN_MB);
      assertThat(
              AnonymousGateHttpTest.count(
                  env, "SELECT count(*) FROM audit_log WHERE kind = 'resource.writes_blocked'"))
          .isEqualTo(1);

      // Stopped, it cannot grow: the overshoot ends at the pass that found it over.
      for (int i = 0; i < 20; i++) {
        assertThatThrownBy(() -> s.execute("INSERT INTO filler SELECT v FROM filler"))
            .isInstanceOf(SQLException.class);
      }
      assertThat(databaseSize(url.database())).isLessThanOrEqualTo(blockedAt);
      assertThat(count(s, "SELECT count(*) FROM filler")).isEqualTo(rows);

      s.execute("TRUNCATE filler");
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> s.execute("INSERT INTO filler VALUES ('back')"));
      await().atMost(Duration.ofSeconds(10)).until(() -> !storageExceeded(token));
      assertThat(
              AnonymousGateHttpTest.count(
                  env, "SELECT count(*) FROM audit_log WHERE kind = 'resource.writes_restored'"))
          .isEqualTo(1);
    }
  }

  @Test
  void aCacheOverItsPlanKeepsReadsAndDeletesWhileAnotherTenantWritesOn() throws Exception {
    JsonNode over = provision("/cache/new");
    JsonNode neighbour = provision("/cache/new");
    RedisCommands<String, String> r = connect(over.get("connection_url").asString());
    RedisCommands<String, String> n = connect(neighbour.get("connection_url").asString());
    String p = over.get("key_prefix").asString();
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      values.put(p + i, randomHex(100_000));
    }
    r.mset(values);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThatThrownBy(() -> r.set(p + "more", "x")).hasMessageContaining("NOPERM"));
    assertThat(r.get(p + "0")).hasSize(100_000);
    assertThat(n.set(neighbour.get("key_prefix").asString() + "k", "v")).isEqualTo("OK");
    // The row is recorded after the act, at the end of the same pass.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> storageExceeded(over.get("token").asString()));

    for (int i = 0; i < 30; i++) {
      r.del(p + i);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> r.set(p + "more", "x"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !storageExceeded(over.get("token").asString()));
  }

  @Test
  void aTenantThatFillsTheSharedRedisIsShedToItsPlanAndTheOthersWriteAgain() throws Exception {
    JsonNode flood = provision("/cache/new");
    JsonNode neighbour = provision("/cache/new");
    RedisCommands<String, String> f = connect(flood.get("connection_url").asString());
    RedisCommands<String, String> n = connect(neighbour.get("connection_url").asString());
    String p = flood.get("key_prefix").asString();
    String q = neighbour.get("key_prefix").asString();
    String blob = randomHex(1024 * 1024);
    int written = 0;
    try {
      for (; written < 40; written++) {
        f.set(p + written, blob);
      }
    } catch (RuntimeException e) {
      assertThat(e.getMessage()).as("the job stopped its writes").contains("NOPERM");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThatThrownBy(() -> f.set(p + "more", "x")).hasMessageContaining("NOPERM"));
    assertThat(written).as("over its 5 MB before it was stopped").isGreaterThan(5);

    // The rest of the shared server fills up (other tenants, here made so by lowering its
    // maxmemory to what it holds): stopped writes alone give nobody room back.
    try (RedisClient adminClient = RedisClient.create(TestRedis.adminUrl());
        StatefulRedisConnection<String, String> adminConnection = adminClient.connect()) {
      RedisCommands<String, String> admin = adminConnection.sync();
      String maxmemory = admin.configGet("maxmemory").get("maxmemory");
      try {
        // 256 KiB under what it holds: keys other tests left to expire (rate counters, upload
        // holds) free a few KiB now and then, which must not pass for room; shedding frees MBs.
        admin.configSet("maxmemory", Long.toString(usedMemory(admin) - 256 * 1024));
        Throwable refused = catchThrowable(() -> n.set(q + "k", "v"));
        if (refused == null) {
          assertThat(shedAudits()).as("room came back only by shedding").isPositive();
        } else {
          assertThat(refused).hasMessageContaining("OOM");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> shedAudits() > 0);
        assertThat(n.set(q + "k", "v")).isEqualTo("OK");
      } finally {
        admin.configSet("maxmemory", maxmemory);
      }
    }
    // What it held beyond its 5 MB was shed, measured after its writes stopped: what it holds
    // now is within its plan, and no more than that was taken.
    long kept = 0;
    for (int i = 0; i < written; i++) {
      kept += f.exists(p + i);
    }
    assertThat(kept).isBetween(3L, 4L);
    for (int i = 0; i < written; i++) {
      f.unlink(p + i);
    }
  }

  private static long shedAudits() throws Exception {
    return AnonymousGateHttpTest.count(
        env, "SELECT count(*) FROM audit_log WHERE kind = 'resource.excess_shed'");
  }

  private static long usedMemory(RedisCommands<String, String> admin) {
    return admin
        .info("memory")
        .lines()
        .filter(l -> l.startsWith("used_memory:"))
        .map(l -> Long.parseLong(l.substring("used_memory:".length()).trim()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void connectionsOverACachesPlanAreClosed() throws Exception {
    JsonNode made = provision("/cache/new");
    String user = "usr_" + made.get("key_prefix").asString().replace(":", "");
    List<RedisCommands<String, String>> open = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      open.add(connect(made.get("connection_url").asString()));
    }
    assertThat(clientsOf(user)).isEqualTo(13);
    await().atMost(Duration.ofSeconds(30)).until(() -> clientsOf(user) == 10);
    assertThat(
            AnonymousGateHttpTest.count(
                env, "SELECT count(*) FROM audit_log WHERE kind = 'resource.connections_closed'"))
        .isGreaterThanOrEqualTo(1);
  }

  private static JsonNode provision(String path) {
    HttpResponse<String> res = http.postJson(path, "{\"name\":\"limits\"}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static RedisCommands<String, String> connect(String url) {
    RedisURI uri = RedisURI.create(url);
    StatefulRedisConnection<String, String> c = redisClient.connect(uri);
    return c.sync();
  }

  private static long clientsOf(String user) {
    try (RedisClient admin = RedisClient.create(TestRedis.adminUrl());
        StatefulRedisConnection<String, String> c = admin.connect()) {
      return c.sync().clientList().lines().filter(l -> l.contains(" user=" + user + " ")).count();
    }
  }

  private static boolean storageExceeded(String token) throws Exception {
    return Boolean.parseBoolean(
        AnonymousGateHttpTest.scalar(
            env, "SELECT storage_exceeded::text FROM resources WHERE token = '" + token + "'"));
  }

  private static long databaseSize(String database) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT pg_database_size('"
                        + database
                        + "') - pg_database_size('template0')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String randomHex(int length) {
    StringBuilder out = new StringBuilder(length);
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    while (out.length() < length) {
      out.append(Long.toHexString(random.nextLong()));
    }
    return out.substring(0, length);
  }
}
