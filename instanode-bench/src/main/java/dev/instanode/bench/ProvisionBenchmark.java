package dev.instanode.bench;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.embedded.EmbeddedPostgresServer;
import dev.instanode.embedded.EmbeddedRedisServer;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.server.Application;
import dev.instanode.server.Config;
import dev.instanode.server.Role;
import dev.instanode.server.VirtualThreadIo;
import dev.instanode.testkit.HttpJson;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.io.FileUtils;

/**
 * Starts embedded Postgres and Redis and the real application, then measures provisioning under 1
 * and 16 concurrent clients: the warm hot pool, the empty pool (live CREATE DATABASE), and the raw
 * floor of issuing CREATE ROLE + CREATE DATABASE directly over JDBC in the same run.
 *
 * <p>Run: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl instanode-bench exec:java
 * -Dexec.args="--requests 200"}
 */
public final class ProvisionBenchmark {
  private static final int[] CLIENTS = {1, 16};

  public static void main(String[] args) throws Exception {
    // As `instanode serve` runs.
    VirtualThreadIo.preferPlatformPoller();
    int requests = option(args, "--requests", 200);
    // --durable 1 keeps fsync on, as `instanode dev` does; the default measures our code path
    // without the disk flushes CREATE/DROP DATABASE force on a shared 2-core VM.
    boolean durable = option(args, "--durable", 0) == 1;
    // Requests sent before measuring, so the figures are the JIT-compiled steady state.
    int warmup = option(args, "--warmup", 50);
    // Requests that warm the JIT once, before any scenario: a benchmark of a server that just
    // started measures the interpreter, not the steady state a running api is in.
    int jitWarmup = option(args, "--jit-warmup", 3000);
    // --only <text> runs just the scenarios whose name contains it, e.g. "warm pool".
    String only = stringOption(args, "--only", "");
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Path dir = Files.createTempDirectory("instanode-bench");
    List<Stats> results = new ArrayList<>();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, durable);
        EmbeddedRedisServer redis =
            EmbeddedRedisServer.start(dir.resolve("redis"), 0, "bench-admin-pw")) {
      PostgresUrl admin = pg.superuserUrl("postgres");
      Run run = new Run(pg, redis, admin, requests, warmup, only, results);
      run.warmJit(jitWarmup);
      for (int clients : CLIENTS) {
        if (run.wants(RAW_FLOOR)) {
          quiesce(admin);
          results.add(rawFloor(admin, clients, requests));
        }
      }
      for (int clients : CLIENTS) {
        run.http("POST /db/new, empty pool (live)", "/db/new", clients, 0, 0);
      }
      for (int clients : CLIENTS) {
        run.http("POST /db/new, warm pool", "/db/new", clients, run.poolSize(), 0);
      }
      for (int clients : CLIENTS) {
        run.http("POST /cache/new, empty pool (live)", "/cache/new", clients, 0, 0);
      }
      for (int clients : CLIENTS) {
        run.http("POST /cache/new, warm pool", "/cache/new", clients, 0, run.poolSize());
      }
    } finally {
      // A run makes over a thousand databases: several GiB that must not stay in /tmp.
      FileUtils.deleteQuietly(dir.toFile());
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println();
    System.out.println(Stats.header());
    results.forEach(r -> System.out.println(r.row()));
    System.out.printf(
        "%nJVM heap used at end: %d MiB of %d MiB committed; %d cores; fsync %s%n",
        (rt.totalMemory() - rt.freeMemory()) >> 20,
        rt.totalMemory() >> 20,
        rt.availableProcessors(),
        durable ? "on" : "off");
    System.exit(0);
  }

  private static final String RAW_FLOOR = "raw JDBC CREATE ROLE + DATABASE";

  /** One benchmark run's shared parts and choices. */
  private record Run(
      EmbeddedPostgresServer pg,
      EmbeddedRedisServer redis,
      PostgresUrl admin,
      int requests,
      int warmup,
      String only,
      List<Stats> results) {

    boolean wants(String scenario) {
      return scenario.contains(only);
    }

    // A pool twice the burst: claims never reach the half-empty mark that wakes a refill.
    int poolSize() {
      return 2 * (warmup + requests + 16);
    }

    /**
     * Sends {@code n} provisions from one network, half of them over its limit (429: the gate,
     * HTTP, JSON and error envelope) and half replays of one earlier provision under the same
     * Idempotency-Key (the gate, Redis, AES-GCM and the 201 body), so the JIT gets hot without
     * filling the disk with databases.
     */
    void warmJit(int n) throws Exception {
      if (n <= 0) {
        return;
      }
      long began = System.nanoTime();
      Map<String, String> env = environment(pg, redis, admin, 0, 0);
      try (Application app = start(env)) {
        HttpJson http = new HttpJson(app.port());
        Map<String, Map<String, String>> replayed = new HashMap<>();
        for (String path : List.of("/db/new", "/cache/new")) {
          Map<String, String> headers =
              Map.of(
                  "Content-Type",
                  "application/json",
                  "Idempotency-Key",
                  "jit-" + UUID.randomUUID());
          expect(http.post(path, "{\"name\":\"jit\"}", headers).statusCode(), 201);
          replayed.put(path, headers);
        }
        for (int i = 0; i < n; i++) {
          String path = i % 4 < 2 ? "/db/new" : "/cache/new";
          if (i % 2 == 0) {
            expect(http.post(path, "{\"name\":\"jit\"}", replayed.get(path)).statusCode(), 201);
          } else {
            // The network's first few are still under its daily five.
            int status = http.postJson(path, "{\"name\":\"over\"}").statusCode();
            expect(status == 201 ? 429 : status, 429);
          }
        }
      } finally {
        dropCustomerObjects(admin, redis);
      }
      System.out.printf(
          "JIT warmed with %d requests in %.1f s%n", n, (System.nanoTime() - began) / 1e9);
    }

    private static void expect(int status, int wanted) {
      if (status != wanted) {
        throw new IllegalStateException("JIT warm-up got " + status + ", not " + wanted);
      }
    }

    void http(String name, String path, int clients, int postgresPool, int redisPool)
        throws Exception {
      if (!wants(name)) {
        return;
      }
      Map<String, String> env = environment(pg, redis, admin, postgresPool, redisPool);
      try (Application app = start(env)) {
        PostgresUrl platform = PostgresUrl.parse(env.get("DATABASE_URL"));
        if (postgresPool > 0) {
          waitForPool(platform, "postgres", postgresPool);
        }
        if (redisPool > 0) {
          waitForPool(platform, "redis", redisPool);
        }
        quiesce(admin);
        results.add(httpScenario(name, app, path, clients, requests, warmup));
      } finally {
        dropCustomerObjects(admin, redis);
      }
    }
  }

  private static String stringOption(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static int option(String[] args, String name, int fallback) {
    return Integer.parseInt(stringOption(args, name, String.valueOf(fallback)));
  }

  private static Application start(Map<String, String> env) {
    return Application.start(
        Config.from(env),
        Set.of(Role.API),
        new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
  }

  private static Map<String, String> environment(
      EmbeddedPostgresServer pg,
      EmbeddedRedisServer redis,
      PostgresUrl admin,
      int postgresPool,
      int redisPool)
      throws Exception {
    String platform = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    execute(admin, "CREATE DATABASE " + platform);
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", pg.superuserUrl(platform).toUri());
    env.put("CUSTOMER_DATABASE_URLS", admin.toUri());
    env.put("REDIS_URL", redis.adminUrl());
    env.put("AES_KEY", AesGcm.generateHexKey());
    env.put("JWT_SECRET", "b".repeat(32));
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("LOG_FORMAT", "text");
    env.put("POOL_POSTGRES_SIZE", String.valueOf(postgresPool));
    env.put("POOL_REDIS_SIZE", String.valueOf(redisPool));
    env.put("POOL_REFILL_INTERVAL", "1h");
    // Each request comes from another network, as many agents do, so the anonymous gate
    // (5 a day per network) measures itself rather than refusing the benchmark.
    env.put("TRUSTED_PROXIES", "127.0.0.1/32");
    return env;
  }

  private static Stats httpScenario(
      String name, Application app, String path, int clients, int requests, int warmup)
      throws Exception {
    HttpJson http = HttpJson.fromManyNetworks(app.port());
    for (int i = 0; i < warmup; i++) {
      http.postJson(path, "{\"name\":\"warmup\"}");
    }
    List<double[]> samples = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        futures.add(
            pool.submit(() -> {
              long t0 = System.nanoTime();
              HttpResponse<String> res = http.postJson(path, "{\"name\":\"bench\"}");
              double client = (System.nanoTime() - t0) / 1e6;
              if (res.statusCode() != 201) {
                throw new IllegalStateException(res.statusCode() + " " + res.body());
              }
              samples.add(Stats.sample(client, serverMillis(res)));
              return null;
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    return Stats.of(name, clients, samples, (System.nanoTime() - start) / 1e9);
  }

  private static double serverMillis(HttpResponse<String> res) {
    return res.headers()
        .firstValue("Server-Timing")
        .map(v -> Double.parseDouble(v.substring(v.indexOf("dur=") + 4)))
        .orElse(Double.NaN);
  }

  /** CREATE ROLE + CREATE DATABASE issued directly: the floor any live provision pays. */
  private static Stats rawFloor(PostgresUrl admin, int clients, int requests) throws Exception {
    List<double[]> samples = Collections.synchronizedList(new ArrayList<>());
    List<String> made = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        futures.add(
            pool.submit(() -> {
              String t = "floor_" + UUID.randomUUID().toString().replace("-", "");
              try (Connection c = connect(admin);
                  Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                s.execute("CREATE ROLE usr_" + t + " LOGIN PASSWORD 'x' CONNECTION LIMIT 2");
                s.execute("CREATE DATABASE db_" + t + " OWNER usr_" + t);
                double ms = (System.nanoTime() - t0) / 1e6;
                samples.add(Stats.sample(ms, ms));
              }
              made.add(t);
              return null;
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    try (Connection c = connect(admin);
        Statement s = c.createStatement()) {
      for (String t : made) {
        s.execute("DROP DATABASE db_" + t);
        s.execute("DROP ROLE usr_" + t);
      }
    }
    return Stats.of(RAW_FLOOR, clients, samples, wall);
  }

  /**
   * Every scenario starts from an empty customer cluster: leftovers (a pool made for the last one)
   * would otherwise slow the next through catalog size, autovacuum visits and ACL file length.
   */
  private static void dropCustomerObjects(PostgresUrl admin, EmbeddedRedisServer redis)
      throws Exception {
    try (Connection c = connect(admin);
        Statement s = c.createStatement()) {
      List<String> names = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT 'DATABASE ' || quote_ident(datname) FROM pg_database"
                  + " WHERE datname LIKE 'db\\_%' UNION ALL"
                  + " SELECT 'ROLE ' || quote_ident(rolname) FROM pg_roles"
                  + " WHERE rolname LIKE 'usr\\_%' ORDER BY 1")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      for (String name : names) {
        s.execute("DROP " + name + (name.startsWith("DATABASE") ? " WITH (FORCE)" : ""));
      }
    }
    RedisClient client = RedisClient.create(redis.adminUrl());
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      RedisCommands<String, String> cmd = conn.sync();
      String[] tenants =
          cmd.aclUsers().stream().filter(u -> u.startsWith("usr_")).toArray(String[]::new);
      if (tenants.length > 0) {
        cmd.aclDeluser(tenants);
      }
      cmd.aclSave();
      cmd.flushall();
    } finally {
      client.shutdown();
    }
  }

  /**
   * Filling a pool of hundreds of databases leaves gigabytes of dirty pages that the kernel writes
   * back 30 s later, in the middle of the next measurement. Flush them first, so each scenario
   * measures itself and not the previous one's disk writes.
   */
  private static void quiesce(PostgresUrl admin) throws Exception {
    long began = System.nanoTime();
    execute(admin, "CHECKPOINT");
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (java.io.IOException e) {
      System.out.println("no sync(1) here; measuring without flushing first");
    }
    System.out.printf("flushed to disk in %.1f s%n", (System.nanoTime() - began) / 1e9);
  }

  private static void waitForPool(PostgresUrl platform, String type, int target) throws Exception {
    long began = System.nanoTime();
    long deadline = began + 600_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Connection c = connect(platform);
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FROM provisioner.pool_items WHERE status = 'ready'"
                          + " AND resource_type = '"
                          + type
                          + "'")) {
        rs.next();
        if (rs.getInt(1) >= target) {
          System.out.printf(
              "pool of %d %s filled in %.1f s%n", target, type, (System.nanoTime() - began) / 1e9);
          return;
        }
      } catch (java.sql.SQLException e) {
        // the schema appears once the provisioner has migrated
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("pool did not fill");
  }

  private static void execute(PostgresUrl url, String sql) throws Exception {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Connection connect(PostgresUrl url) throws java.sql.SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}
