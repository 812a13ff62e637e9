package dev.instanode.server;

import dev.instanode.core.PostgresUrl;
import dev.instanode.embedded.EmbeddedNatsServer;
import dev.instanode.embedded.EmbeddedObjectStore;
import dev.instanode.embedded.EmbeddedPostgresServer;
import dev.instanode.embedded.EmbeddedRedisServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code instanode dev}: embedded PostgreSQL (platform database and customer cluster in one) and
 * embedded Redis under the data directory, then every role in this JVM. The environment overrides
 * any default, exactly as in production.
 */
final class DevMode implements AutoCloseable {
  static final String PLATFORM_DATABASE = "instanode";
  static final String PG_PORT = "INSTANODE_DEV_PG_PORT";
  static final String REDIS_PORT = "INSTANODE_DEV_REDIS_PORT";
  static final int DEFAULT_PG_PORT = 54329;
  private static final int DEFAULT_REDIS_PORT = 63799;
  private static final int DEFAULT_API_PORT = 8080;

  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;
  private final EmbeddedObjectStore objects;
  private final EmbeddedNatsServer nats;
  private final Application application;
  private final Config config;

  private DevMode(
      EmbeddedPostgresServer postgres,
      EmbeddedRedisServer redis,
      EmbeddedObjectStore objects,
      EmbeddedNatsServer nats,
      Application application,
      Config config) {
    this.nats = nats;
    this.postgres = postgres;
    this.redis = redis;
    this.objects = objects;
    this.application = application;
    this.config = config;
  }

  /**
   * @param environment the process environment; any setting in it wins over dev defaults
   * @param portFlag {@code --port}, or null
   */
  static DevMode start(
      Path dataDir,
      Map<String, String> environment,
      Integer portFlag,
      Application.Options options) {
    Map<String, String> secrets = DevEnvironment.loadOrCreateSecrets(dataDir);
    // A server a killed JVM left running still holds this directory's ports: stop it first.
    EmbeddedPostgresServer.stopStale(dataDir.resolve("postgres"));
    EmbeddedRedisServer.stopStale(dataDir.resolve("redis"));
    DevPorts ports = DevPorts.choose(dataDir, environment, DEFAULT_PG_PORT, DEFAULT_REDIS_PORT);
    EmbeddedPostgresServer postgres =
        EmbeddedPostgresServer.start(dataDir.resolve("postgres"), ports.postgres());
    EmbeddedRedisServer redis = null;
    EmbeddedObjectStore objects = null;
    EmbeddedNatsServer nats = null;
    try {
      redis =
          EmbeddedRedisServer.start(
              dataDir.resolve("redis"),
              ports.redis(),
              secrets.get(DevEnvironment.REDIS_ADMIN_PASSWORD));
      ensureDatabase(postgres.superuserUrl("postgres"), PLATFORM_DATABASE);
      // The api binds last: the object store and NATS must not take its port first.
      String apiPort = apiPort(environment, portFlag);
      int avoid = apiPort.matches("[0-9]{1,5}") ? Integer.parseInt(apiPort) : -1;
      objects =
          environment.containsKey(Setting.S3_ENDPOINT.name())
              ? null
              : EmbeddedObjectStore.start(
                  dataDir.resolve("objects"),
                  DevPorts.freePortOtherThan(avoid),
                  secrets.get(DevEnvironment.S3_ACCESS_KEY),
                  secrets.get(DevEnvironment.S3_SECRET_KEY));

      Map<String, String> env = new LinkedHashMap<>();
      env.put(Setting.DATABASE_URL.name(), postgres.superuserUrl(PLATFORM_DATABASE).toUri());
      env.put(Setting.CUSTOMER_DATABASE_URLS.name(), postgres.superuserUrl("postgres").toUri());
      env.put(Setting.REDIS_URL.name(), redis.adminUrl());
      env.put(Setting.HOST.name(), "127.0.0.1");
      env.put(Setting.LOG_FORMAT.name(), "text");
      // Without a mail server, a sign-in link is followed from the terminal.
      env.put(Setting.MAIL_LOG.name(), "true");
      env.put(Setting.DATABASE_POOL_SIZE.name(), "16");
      // Stacks run on $KUBECONFIG's cluster when there is one, else on a simulated one.
      env.put(
          Setting.KUBERNETES_MODE.name(),
          System.getenv("KUBECONFIG") == null ? "simulated" : "auto");
      // Queues run on the machine's nats-server when there is one (apt-get install nats-server).
      if (!environment.containsKey(Setting.QUEUE_NATS_AUTH_FILE.name())) {
        nats =
            EmbeddedNatsServer.binary()
                .map(binary ->
                    EmbeddedNatsServer.start(
                        binary,
                        dataDir.resolve("nats"),
                        DevPorts.freePortOtherThan(avoid),
                        EmbeddedNatsServer.lockedAuthorization()))
                .orElse(null);
      }
      if (nats != null) {
        env.put(Setting.QUEUE_NATS_AUTH_FILE.name(), nats.authFile().toString());
        env.put(Setting.QUEUE_NATS_PID_FILE.name(), nats.pidFile().toString());
        env.put(Setting.QUEUE_NATS_PORT.name(), String.valueOf(nats.port()));
      }
      if (objects != null) {
        env.put(Setting.S3_ENDPOINT.name(), objects.endpoint().toString());
        env.put(Setting.S3_ACCESS_KEY.name(), objects.accessKey());
        env.put(Setting.S3_SECRET_KEY.name(), objects.secretKey());
      }
      secrets.forEach(env::put);
      environment.forEach(env::put);
      env.put(Setting.PORT.name(), apiPort);
      Config config = Config.from(env);
      // Every role but the provisioner's gRPC server: dev provisions in-process.
      Application app = Application.start(config, Set.of(Role.API, Role.WORKER), options);
      return new DevMode(postgres, redis, objects, nats, app, config);
    } catch (RuntimeException | Error e) {
      // Errors too (a missing class, say): no embedded server may outlive a failed start.
      if (nats != null) {
        nats.close();
      }
      if (objects != null) {
        objects.close();
      }
      if (redis != null) {
        redis.close();
      }
      postgres.close();
      throw e;
    }
  }

  /**
   * {@code --port}, else {@code PORT}, else 8080 when it is free; else 0 (any port: another
   * instance has the default, and the ready line says which).
   */
  private static String apiPort(Map<String, String> environment, Integer portFlag) {
    if (portFlag != null) {
      return String.valueOf(portFlag);
    }
    String set = environment.get(Setting.PORT.name());
    if (set != null) {
      return set; // as given: a bad one is refused by Config with the others
    }
    return DevPorts.isFree(DEFAULT_API_PORT) ? String.valueOf(DEFAULT_API_PORT) : "0";
  }

  private static void ensureDatabase(PostgresUrl admin, String name) {
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the platform database " + name, e);
    }
  }

  int apiPort() {
    return application.port();
  }

  Config config() {
    return config;
  }

  String readyLine() {
    String base = "http://127.0.0.1:" + apiPort();
    return "instanode ready on "
        + base
        + " — try: curl -s -XPOST "
        + base
        + "/db/new -H 'content-type: application/json' -d '{\"name\":\"x\"}'"
        + " (embedded PostgreSQL on port "
        + postgres.port()
        + ", Redis on "
        + redis.port()
        + (objects != null ? ", S3 on " + objects.port() : "")
        + (nats != null ? ", NATS on " + nats.port() : "; queues off (no nats-server)")
        + "; "
        + StackAssembly.describe(config, false)
        + ")";
  }

  /** Stops the api first, then the object store, Redis, PostgreSQL: no server outlives the JVM. */
  @Override
  public void close() {
    try {
      application.close();
    } finally {
      try {
        if (nats != null) {
          nats.close();
        }
        if (objects != null) {
          objects.close();
        }
      } finally {
        try {
          redis.close();
        } finally {
          postgres.close();
        }
      }
    }
  }
}
