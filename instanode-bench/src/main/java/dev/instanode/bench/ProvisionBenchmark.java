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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.commons.io.FileUtils;

/**
 * Starts embedded Postgres and Redis and the real application, then measures provisioning under 1
 * and 16 concurrent clients as interleaved rounds (see {@link Interleaved}) of three targets per
 * resource type: the raw floor (the server's own commands, no api), the api with an empty pool
 * (live), and the api with a warm pool.
 *
 * <p>Run with the JVM flags {@code instanode serve} uses: {@code ./instanode bench --requests 200
 * --durable 1}.
 */
public final class ProvisionBenchmark {
  private static final int[] CLIENTS = {1, 16};

  public static void main(String[] args) throws Exception {
    // As `instanode serve` runs.
    VirtualThreadIo.preferPlatformPoller();
    int requests = option(args, "--requests", 200);
    // --durable 1 keeps fsync on, as `instanode dev` and production do: the headline figures.
    boolean durable = option(args, "--durable", 1) == 1;
    // Requests each api gets before measuring, so the figures are the JIT-compiled steady state.
    int warmup = option(args, "--warmup", 50);
    // Requests that warm the JIT once, before any scenario: a benchmark of a server that just
    // started measures the interpreter, not the steady state a running api is in.
    int jitWarmup = option(args, "--jit-warmup", 3000);
    // --only <text> runs what contains it: a path (/db/new, /cache/new) or a target's name
    // ("warm", "live", "raw"), for profiling one of them.
    String only = stringOption(args, "--only", "");
    // --profile <prefix> records a JFR profile of the measured rounds only (no warm-ups, no pool
    // fills), one file per path and client count: <prefix>-db-16.jfr. `jfr view hot-methods` on
    // one says where those requests went.
    String profile = stringOption(args, "--profile", "");
    String jvm = jvmDescription();
    System.out.println("JVM: " + jvm);
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Path dir = Files.createTempDirectory("instanode-bench");
    List<Stats> results = new ArrayList<>();
    List<String> ratios = new ArrayList<>();
    List<String> cpuRows = new ArrayList<>();
    long began = System.nanoTime();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, durable);
        EmbeddedRedisServer redis =
            EmbeddedRedisServer.start(dir.resolve("redis"), 0, "bench-admin-pw");
        // As production runs: the platform's rate limits on another Redis than the tenants'.
        EmbeddedRedisServer platformRedis =
            EmbeddedRedisServer.start(dir.resolve("platform-redis"), 0, "bench-platform-pw")) {
      PostgresUrl admin = pg.superuserUrl("postgres");
      Run run = new Run(pg, redis, platformRedis, admin, requests, warmup, profile);
      run.warmJit(jitWarmup);
      List<String> paths = List.of("/db/new", "/cache/new");
      boolean byPath = paths.stream().anyMatch(p -> p.contains(only));
      for (String path : paths) {
        if (byPath && !path.contains(only)) {
          continue;
        }
        for (int clients : CLIENTS) {
          Interleaved.Result result = run.pairs(path, clients, byPath ? "" : only);
          results.addAll(result.stats().values());
          result
              .cpuPerRequest()
              .forEach((name, parts) ->
                  cpuRows.add(
                      String.format(
                          java.util.Locale.ROOT,
                          "| %-34s | %7d | %6.2f | %6.2f | %8.2f | %6.2f |",
                          name,
                          clients,
                          parts.get(CpuMeter.API),
                          parts.get(CpuMeter.CLIENT),
                          parts.get(CpuMeter.POSTGRES),
                          parts.get(CpuMeter.REDIS))));
          List<String> names = List.copyOf(result.stats().keySet());
          if (names.size() == 3) {
            ratios.add(
                String.format(
                    java.util.Locale.ROOT,
                    "| %s | %d | %.1f× | %.2f× |",
                    path,
                    clients,
                    result.medianRatio(names.get(1), names.get(2)),
                    result.medianRatio(names.get(1), names.get(0))));
          }
        }
      }
    } finally {
      // A run makes over a thousand databases: several GiB that must not stay in /tmp.
      FileUtils.deleteQuietly(dir.toFile());
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println();
    System.out.println(Stats.header());
    results.forEach(r -> System.out.println(r.row()));
    System.out.println();
    System.out.println("CPU milliseconds per request, by part of the machine:");
    System.out.printf(
        "| %-34s | %7s | %6s | %6s | %8s | %6s |%n|%s|%s|%s|%s|%s|%s|%n",
        "scenario",
        "clients",
        "api",
        "client",
        "postgres",
        "redis",
        "-".repeat(36),
        "-".repeat(9),
        "-".repeat(8),
        "-".repeat(8),
        "-".repeat(10),
        "-".repeat(8));
    cpuRows.forEach(System.out::println);
    System.out.println();
    System.out.println(
        "| path | clients | live / warm p50 (median of rounds) | live / floor p50 |");
    System.out.println("|---|---:|---:|---:|");
    ratios.forEach(System.out::println);
    System.out.printf(
        "%nJVM heap used at end: %d MiB of %d MiB committed; %d cores; fsync %s; %.0f s in all"
            + "%nJVM: %s%n",
        (rt.totalMemory() - rt.freeMemory()) >> 20,
        rt.totalMemory() >> 20,
        rt.availableProcessors(),
        durable ? "on" : "off",
        (System.nanoTime() - began) / 1e9,
        jvm);
    System.exit(0);
  }

  /** The runtime and the flags it was started with: what the figures were measured under. */
  private static String jvmDescription() {
    List<String> flags =
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    boolean c1Only = flags.stream().anyMatch(f -> f.startsWith("-XX:TieredStopAtLevel"));
    return Runtime.version()
        + (c1Only ? " (C1 only)" : " (C1+C2)")
        + " flags="
        + String.join(" ", flags);
  }

  /** One benchmark run's shared parts and choices. */
  private record Run(
      EmbeddedPostgresServer pg,
      EmbeddedRedisServer redis,
      EmbeddedRedisServer platformRedis,
      PostgresUrl admin,
      int requests,
      int warmup,
      String profile) {

    // A pool twice the burst: claims never reach the half-empty mark that wakes a refill.
    int poolSize() {
      return 2 * (warmup + requests + 16);
    }

    /**
     * The floor, the api with an empty pool and the api with a warm pool, measured in alternating
     * rounds. Both apis run at once (each its own platform database), so no round waits on a
     * restart.
     */
    Interleaved.Result pairs(String path, int clients, String only) throws Exception {
      boolean postgres = path.equals("/db/new");
      int pool = poolSize();
      Map<String, String> liveEnv = environment(pg, redis, platformRedis, admin, 0, 0);
      Map<String, String> warmEnv =
          environment(pg, redis, platformRedis, admin, postgres ? pool : 0, postgres ? 0 : pool);
      try (Application live = start(liveEnv);
          Application warm = start(warmEnv);
          RawRedisFloor redisFloor = new RawRedisFloor(redis.adminUrl())) {
        waitForPool(
            PostgresUrl.parse(warmEnv.get("DATABASE_URL")), postgres ? "postgres" : "redis", pool);
        quiesce(admin);
        Target floor = postgres ? new RawPostgresFloor(admin) : redisFloor;
        Target liveApi =
            new HttpProvision(
                "POST " + path + ", empty pool (live)",
                HttpJson.fromManyNetworks(live.port()),
                path);
        Target warmApi =
            new HttpProvision(
                "POST " + path + ", warm pool", HttpJson.fromManyNetworks(warm.port()), path);
        for (Target api : List.of(liveApi, warmApi)) {
          for (int i = 0; i < warmup; i++) {
            api.provisionOnce();
          }
        }
        List<Target> measured =
            List.of(floor, liveApi, warmApi).stream().filter(t -> t.name().contains(only)).toList();
        if (profile.isEmpty()) {
          return new Interleaved(clients, requests).measure(measured);
        }
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
          // The measured rounds last seconds: sample every millisecond, not every 10 or 20.
          recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(1));
          recording.start();
          Interleaved.Result result = new Interleaved(clients, requests).measure(measured);
          recording.stop();
          Path file = Path.of(profile + "-" + (postgres ? "db" : "cache") + "-" + clients + ".jfr");
          recording.dump(file);
          System.out.println("profile of the measured rounds: " + file);
          return result;
        }
      } finally {
        dropCustomerObjects(admin, redis);
      }
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
      Map<String, String> env = environment(pg, redis, platformRedis, admin, 0, 0);
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
      int pooled = warmPooledPath(n / 5);
      System.out.printf(
          "JIT warmed with %d requests and %d pool claims in %.1f s%n",
          n, pooled, (System.nanoTime() - began) / 1e9);
    }

    /**
     * Claims {@code n} caches from a warm pool, from 4 clients: the pool claim, the resource
     * insert, the onboarding row and the audit writer are the code a warm provision runs, and a
     * database claim shares all of it but the grade check. Caches, because a pool of hundreds of
     * them fills in seconds where databases take minutes and gigabytes.
     */
    private int warmPooledPath(int n) throws Exception {
      if (n <= 0) {
        return 0;
      }
      Map<String, String> env = environment(pg, redis, platformRedis, admin, 0, n);
      try (Application app = start(env);
          ExecutorService clients = Executors.newFixedThreadPool(4)) {
        waitForPool(PostgresUrl.parse(env.get("DATABASE_URL")), "redis", n);
        HttpProvision cache =
            new HttpProvision("jit", HttpJson.fromManyNetworks(app.port()), "/cache/new");
        List<Future<double[]>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          calls.add(clients.submit(cache::provisionOnce));
        }
        for (Future<double[]> call : calls) {
          call.get();
        }
        return n;
      } finally {
        dropCustomerObjects(admin, redis);
      }
    }

    private static void expect(int status, int wanted) {
      if (status != wanted) {
        throw new IllegalStateException("JIT warm-up got " + status + ", not " + wanted);
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
      EmbeddedRedisServer platformRedis,
      PostgresUrl admin,
      int postgresPool,
      int redisPool)
      throws Exception {
    String platform = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    execute(admin, "CREATE DATABASE " + platform);
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", pg.superuserUrl(platform).toUri());
    env.put("CUSTOMER_DATABASE_URLS", admin.toUri());
    env.put("REDIS_URL", platformRedis.adminUrl());
    env.put("CUSTOMER_REDIS_URL", redis.adminUrl());
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
