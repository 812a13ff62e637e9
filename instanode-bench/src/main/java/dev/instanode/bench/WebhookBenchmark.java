package dev.instanode.bench;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.embedded.EmbeddedPostgresServer;
import dev.instanode.embedded.EmbeddedRedisServer;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.server.Application;
import dev.instanode.server.Config;
import dev.instanode.server.Role;
import dev.instanode.server.VirtualThreadIo;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.PlatformDatabase;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.io.FileUtils;

/**
 * The webhook receive path under load: 16 clients, each sending a 512-byte JSON body to its own
 * team receiver as fast as it answers, for a fixed time after a warm-up. Every request is stored
 * (and the oldest beyond the plan deleted) in the platform database, as in production. Prints
 * p50/p99 and requests a second. Run: {@code ./instanode bench webhooks [--seconds 20]}.
 */
public final class WebhookBenchmark {
  private static final int CLIENTS = 16;
  private static final Pattern RECEIVE_URL = Pattern.compile("\"receive_url\":\"([^\"]+)\"");

  private WebhookBenchmark() {}

  public static void main(String[] args) throws Exception {
    VirtualThreadIo.preferPlatformPoller();
    int seconds = option(args, "--seconds", 20);
    int warmup = option(args, "--warmup", 10);
    boolean durable = option(args, "--durable", 1) == 1;
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    System.out.println(
        "JVM: "
            + Runtime.version()
            + " "
            + ManagementFactory.getRuntimeMXBean().getInputArguments());
    Path dir = Files.createTempDirectory("instanode-webhook-bench");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, durable);
        EmbeddedRedisServer redis =
            EmbeddedRedisServer.start(dir.resolve("redis"), 0, "bench-admin-pw")) {
      PostgresUrl admin = pg.superuserUrl("postgres");
      try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), "");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE webhook_bench");
      }
      Map<String, String> env = new HashMap<>();
      env.put("DATABASE_URL", pg.superuserUrl("webhook_bench").toUri());
      env.put("CUSTOMER_DATABASE_URLS", admin.toUri());
      env.put("REDIS_URL", redis.adminUrl());
      env.put("AES_KEY", AesGcm.generateHexKey());
      env.put("JWT_SECRET", "w".repeat(32));
      env.put("HOST", "127.0.0.1");
      env.put("PORT", "0");
      env.put("LOG_FORMAT", "text");
      env.put("POOL_POSTGRES_SIZE", "0");
      env.put("POOL_REDIS_SIZE", "0");
      env.put("KUBERNETES_MODE", "off");
      try (Application app =
          Application.start(
              Config.from(env),
              Set.of(Role.API),
              new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()))) {
        String base = "http://127.0.0.1:" + app.port();
        String key = teamKey(pg.superuserUrl("webhook_bench"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<URI> receivers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          receivers.add(receiver(http, base, key));
        }
        byte[] body = body();
        run(http, receivers, body, Duration.ofSeconds(warmup));
        Stats stats = run(http, receivers, body, Duration.ofSeconds(seconds));
        Runtime rt = Runtime.getRuntime();
        System.out.println();
        System.out.println(Stats.header());
        System.out.println(stats.row());
        System.out.printf(
            "%nJVM heap used at end: %d MiB of %d MiB committed; %d cores; fsync %s%n",
            (rt.totalMemory() - rt.freeMemory()) >> 20,
            rt.totalMemory() >> 20,
            rt.availableProcessors(),
            durable ? "on" : "off");
      }
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
    System.exit(0);
  }

  /** A team on the team plan (60,000 requests a minute a receiver) and its API key. */
  private static String teamKey(PostgresUrl platform) {
    try (PlatformDatabase db = PlatformDatabase.connect(platform, 2);
        AuditLog audit = new AuditLog(db.jdbi())) {
      String email = "bench-" + UUID.randomUUID() + "@example.com";
      return new TeamBootstrap(db.jdbi(), new IdentityRepository(db.jdbi()), audit)
          .create(email, Tier.TEAM, "bench")
          .apiKey();
    }
  }

  private static URI receiver(HttpClient http, String base, String key) throws Exception {
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/webhook/new"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = RECEIVE_URL.matcher(res.body());
    if (res.statusCode() != 201 || !m.find()) {
      throw new IllegalStateException("no receiver: " + res.statusCode() + " " + res.body());
    }
    // PUBLIC_BASE_URL names port 0 here (PORT=0 picks a free one): send to where the api is.
    return URI.create(base + URI.create(m.group(1)).getPath());
  }

  private static byte[] body() {
    StringBuilder json = new StringBuilder("{\"type\":\"payment.succeeded\",\"data\":\"");
    while (json.length() < 500) {
      json.append('x');
    }
    return json.append("\"}").toString().getBytes();
  }

  /**
   * Each client sends to its own receiver until {@code length} is over; every answer must be 200.
   */
  private static Stats run(HttpClient http, List<URI> receivers, byte[] body, Duration length)
      throws Exception {
    long end = System.nanoTime() + length.toNanos();
    long began = System.nanoTime();
    List<Future<List<double[]>>> clients = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(receivers.size())) {
      for (URI receiver : receivers) {
        clients.add(
            pool.submit(() -> {
              List<double[]> samples = new ArrayList<>();
              HttpRequest request =
                  HttpRequest.newBuilder(receiver)
                      .header("Content-Type", "application/json")
                      .header("X-Signature", "t=1,v1=0123456789abcdef")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build();
              while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                HttpResponse<Void> res = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() != 200) {
                  throw new IllegalStateException("receive answered " + res.statusCode());
                }
                samples.add(new double[] {(System.nanoTime() - t0) / 1e6, Double.NaN});
              }
              return samples;
            }));
      }
      List<double[]> all = new ArrayList<>();
      for (Future<List<double[]>> c : clients) {
        all.addAll(c.get());
      }
      return Stats.of(
          "POST /webhook/receive/{token}",
          receivers.size(),
          all,
          (System.nanoTime() - began) / 1e9);
    }
  }

  private static int option(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
