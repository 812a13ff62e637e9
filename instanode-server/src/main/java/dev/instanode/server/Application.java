package dev.instanode.server;

import dev.instanode.api.ApiServer;
import dev.instanode.api.ApiSettings;
import dev.instanode.api.Routes;
import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.claim.OnboardingTokens;
import dev.instanode.api.gate.AnonymousGate;
import dev.instanode.api.http.HttpMetrics;
import dev.instanode.api.http.Json;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.idempotency.Idempotency;
import dev.instanode.api.identity.IdentityHandler;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.ops.OpsHandler;
import dev.instanode.api.ops.Readiness;
import dev.instanode.api.ops.ReadinessCheck;
import dev.instanode.api.plan.PlanChanges;
import dev.instanode.api.plan.PlanHandler;
import dev.instanode.api.provision.ProvisionHandler;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.provision.ResourceProvisioning;
import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.api.resources.ResourceHandler;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ResourceType;
import dev.instanode.core.auth.HmacJwt;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.DropGuard;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.ResourceBackend;
import dev.instanode.provisioner.grpc.GrpcProvisionerClient;
import dev.instanode.provisioner.grpc.server.GrpcProvisionerServer;
import dev.instanode.provisioner.pool.HotPool;
import dev.instanode.provisioner.pool.PoolMaintenance;
import dev.instanode.provisioner.pool.PoolReaper;
import dev.instanode.provisioner.pool.PoolRepository;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.CustomerCluster;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.provisioner.redis.RedisBackend;
import dev.instanode.provisioner.redis.RedisEndpoint;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.OnboardingRepository;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.Worker;
import dev.instanode.worker.WorkerDependencies;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The composition root: the only place that constructs and wires objects. Everything it starts it
 * closes, in reverse order.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);
  private static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final int REFILL_PARALLELISM = 4;

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private ApiServer api;
  private int grpcPort = -1;

  private Application() {}

  /**
   * What {@link #start} needs besides configuration; tests inject faults through the hooks.
   *
   * @param stepHook called after each step a backend takes on customer infrastructure
   * @param recordHook called after each step that records a resource or pool item (the platform and
   *     pool rows); crash tests stop the process there
   */
  public record Options(
      boolean migrateOnStart,
      ProvisionStepHook stepHook,
      ProvisionStepHook recordHook,
      Clock clock) {
    public Options(boolean migrateOnStart, ProvisionStepHook stepHook, Clock clock) {
      this(migrateOnStart, stepHook, ProvisionStepHook.NONE, clock);
    }

    public static Options production() {
      return new Options(false, ProvisionStepHook.NONE, Clock.systemUTC());
    }

    public static Options dev() {
      return new Options(true, ProvisionStepHook.NONE, Clock.systemUTC());
    }
  }

  public static Application start(Config config, Set<Role> roles, Options options) {
    Application app = new Application();
    try {
      app.wire(config, roles, options);
      return app;
    } catch (RuntimeException | Error e) {
      app.close();
      throw e;
    }
  }

  /** What every role shares: metrics, the plan table, the URL key, the platform database. */
  private record Shared(
      PrometheusMeterRegistry meters,
      Plans plans,
      AesGcm aes,
      PlatformDatabase db,
      AuditLog audit) {}

  /** How the api and worker reach the provisioner, in this process or over gRPC. */
  private record ProvisionerAccess(
      Provisioner provisioner, ReadinessCheck ready, Set<ResourceType> services) {}

  private void wire(Config config, Set<Role> roles, Options options) {
    Shared shared = shared(config, options);
    boolean remote = config.provisionerAddr().isPresent();
    boolean apiOrWorker = roles.contains(Role.API) || roles.contains(Role.WORKER);
    Optional<LocalStack> local =
        roles.contains(Role.PROVISIONER) || (apiOrWorker && !remote)
            ? Optional.of(
                localStack(config, options, shared.plans(), shared.aes(), shared.meters()))
            : Optional.empty();
    if (roles.contains(Role.PROVISIONER)) {
      startGrpc(config, options, local.orElseThrow());
    }
    if (!apiOrWorker) {
      return;
    }
    ProvisionerAccess access =
        remote ? remoteProvisioner(config.provisionerAddr().get(), config) : inProcess(local);
    if (roles.contains(Role.WORKER)) {
      startWorker(config, options, shared, access);
    }
    if (roles.contains(Role.API)) {
      startApi(config, options, shared, access);
    }
  }

  private Shared shared(Config config, Options options) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    PlatformDatabase db =
        own(
            PlatformDatabase.connect(
                config.databaseUrl(), config.databasePoolSize(), config.databasePoolTimeout()));
    if (options.migrateOnStart()) {
      db.migrate();
    } else if (db.pendingMigrations() > 0) {
      throw new IllegalStateException(
          "the platform database has "
              + db.pendingMigrations()
              + " pending migration(s); run `instanode migrate` first");
    }
    return new Shared(
        meters,
        Plans.bundled(),
        AesGcm.fromHexKey(config.aesKey()),
        db,
        own(new AuditLog(db.jdbi())));
  }

  private void startGrpc(Config config, Options options, LocalStack local) {
    GrpcProvisionerServer server =
        own(
            GrpcProvisionerServer.start(
                config.host(),
                config.provisionerGrpcPort(),
                config.provisionerSecret().orElse(""),
                local.provisioner(),
                options.clock()));
    grpcPort = server.port();
    LOG.info("provisioner.grpc_started host={} port={}", config.host(), grpcPort);
  }

  private ProvisionerAccess remoteProvisioner(HostAndPort addr, Config config) {
    GrpcProvisionerClient client =
        own(
            GrpcProvisionerClient.connect(
                addr.host(), addr.port(), config.provisionerSecret().orElse("")));
    ReadinessCheck ready =
        new ReadinessCheck(
            "provisioner",
            true,
            () -> {
              if (!client.healthy()) {
                throw new IllegalStateException("provisioner is not serving");
              }
            });
    return new ProvisionerAccess(client, ready, EnumSet.allOf(ResourceType.class));
  }

  private static ProvisionerAccess inProcess(Optional<LocalStack> local) {
    LocalStack stack = local.orElseThrow();
    return new ProvisionerAccess(
        stack.provisioner(), clusterCheck(stack.placement()), stack.services());
  }

  private void startWorker(
      Config config, Options options, Shared shared, ProvisionerAccess access) {
    own(
        Worker.start(
            new WorkerDependencies(
                shared.db().dataSource(),
                shared.db().jdbi(),
                Optional.of(access.provisioner()),
                shared.audit(),
                shared.plans(),
                shared.meters(),
                options.clock()),
            config.worker()));
    LOG.info("worker.started");
  }

  private void startApi(Config config, Options options, Shared shared, ProvisionerAccess access) {
    ApiSettings settings =
        new ApiSettings(
            config.publicBaseUrl(),
            config.upgradeUrl(),
            config.legacyApiKeyTtl(),
            config.anonymousTtl(),
            access.services(),
            MAX_BODY_BYTES,
            Version.current(),
            config.commitId(),
            config.metricsToken());
    JsonMapper mapper = Json.mapper();
    JsonBodies bodies = new JsonBodies(mapper, MAX_BODY_BYTES);
    PlatformRedis redis = own(new PlatformRedis(config.redisUrl(), shared.meters()));
    Readiness readiness = new Readiness(readinessChecks(shared.db(), access.ready(), redis));
    // Read once: /healthz answers anyone and must not reach the database per call.
    OpsHandler ops =
        new OpsHandler(
            settings,
            readiness,
            shared.meters(),
            shared.plans(),
            shared.db().currentVersion(),
            options.clock());
    Routes.Handlers handlers =
        apiHandlers(config, options, shared, access, settings, mapper, bodies, redis, ops);
    api =
        own(
            new ApiServer(
                    mapper,
                    bodies,
                    new HttpMetrics(shared.meters()),
                    MAX_BODY_BYTES,
                    config.requestReadTimeout(),
                    handlers)
                .start(config.host(), config.port()));
    LOG.info("api.started host={} port={}", config.host(), api.port());
  }

  private static Routes.Handlers apiHandlers(
      Config config,
      Options options,
      Shared shared,
      ProvisionerAccess access,
      ApiSettings settings,
      JsonMapper mapper,
      JsonBodies bodies,
      PlatformRedis redis,
      OpsHandler ops) {
    Plans plans = shared.plans();
    AuditLog audit = shared.audit();
    Jdbi jdbi = shared.db().jdbi();
    Clock clock = options.clock();
    IdentityRepository identities = new IdentityRepository(jdbi);
    ResourceRepository resources = new ResourceRepository(jdbi);
    HmacJwt jwt = new HmacJwt(config.jwtSecret(), clock);
    SessionTokens sessions = new SessionTokens(jwt, config.publicBaseUrl());
    Authenticator auth =
        new Authenticator(
            sessions,
            identities,
            new ClientAddress(config.trustedProxies(), config.trustedProxyHeader()));
    ClaimService claims =
        new ClaimService(
            jdbi,
            new OnboardingTokens(jwt),
            new OnboardingRepository(jdbi),
            identities,
            resources,
            sessions,
            audit,
            clock);
    ResourceProvisioning provisioning =
        new ResourceProvisioning(
            resources,
            access.provisioner(),
            shared.aes(),
            audit,
            plans,
            clock,
            config.anonymousTtl(),
            shared.meters(),
            options.recordHook());
    ProvisionService provision =
        new ProvisionService(
            provisioning,
            bodies,
            mapper,
            plans,
            settings,
            new AnonymousGate(redis, plans, clock),
            new Idempotency(redis, mapper, shared.aes()),
            identities,
            claims);
    ResourceService resourceService =
        new ResourceService(
            jdbi,
            resources,
            access.provisioner(),
            shared.aes(),
            audit,
            plans,
            options.recordHook(),
            config.upgradeUrl());
    return new Routes.Handlers(
        ops,
        new ProvisionHandler(provision, bodies, auth),
        new ClaimHandler(claims, bodies),
        new IdentityHandler(
            auth, new IdentityService(identities, audit, clock, config.legacyApiKeyTtl()), bodies),
        new ResourceHandler(resourceService, auth, bodies),
        new PlanHandler(
            new PlanChanges(jdbi, plans, audit),
            config.internalJwtSecret().map(secret -> new HmacJwt(secret, clock)),
            bodies));
  }

  private static ClusterPlacement clusters(Config config, Clock clock) {
    List<PostgresUrl> urls = config.customerDatabaseUrls();
    return new ClusterPlacement(
        IntStream.range(0, urls.size())
            .mapToObj(i ->
                new CustomerCluster(
                    i,
                    urls.get(i),
                    config.customerPublicHost().orElse(urls.get(i).host()),
                    urls.get(i).port()))
            .toList(),
        config.customerClusterCapacity(),
        clock);
  }

  /** The provisioner's own schema (pool_items), migrated or checked like the platform's. */
  private ProvisionerDatabase provisionerDatabase(Config config, Options options) {
    ProvisionerDatabase db = own(ProvisionerDatabase.connect(config.provisionerDatabaseUrl(), 4));
    if (options.migrateOnStart()) {
      db.migrate();
    } else if (db.pendingMigrations() > 0) {
      throw new IllegalStateException(
          "the provisioner schema has pending migrations; run `instanode migrate` first");
    }
    return db;
  }

  /**
   * The hot pool and its maintenance. With every size 0 nothing is made, but items made earlier are
   * still settled when their resources go, and discarded or half-made ones are still reaped.
   */
  private HotPool hotPool(
      Config config,
      Options options,
      ProvisionerDatabase provisionerDb,
      Map<ResourceType, ResourceBackend> backends,
      AesGcm aes,
      Breakers breakers,
      DeprovisionChokepoint chokepoint,
      MeterRegistry meters) {
    Map<ResourceType, Integer> targets = config.poolSizes();
    PoolRepository items = new PoolRepository(provisionerDb.jdbi());
    HotPool pool =
        own(
            new HotPool(
                backends,
                targets,
                items,
                aes,
                breakers,
                chokepoint,
                meters,
                REFILL_PARALLELISM,
                options.recordHook()));
    own(
        new PoolMaintenance(
                pool, new PoolReaper(items, backends, chokepoint, meters, options.clock()))
            .start(config.poolRefillInterval()));
    return pool;
  }

  // The platform database may share a cluster with customers (it does in dev): never drop it.
  private static Set<String> protectedNames(Config config) {
    Set<String> names = new HashSet<>();
    names.add(config.databaseUrl().database());
    names.add(config.databaseUrl().user());
    for (PostgresUrl url : config.customerDatabaseUrls()) {
      names.add(url.database());
      names.add(url.user());
    }
    return names;
  }

  private static List<ReadinessCheck> readinessChecks(
      PlatformDatabase db, ReadinessCheck provisioner, PlatformRedis redis) {
    return List.of(
        new ReadinessCheck("redis", false, redis::ping),
        new ReadinessCheck("platform_db", true, db::ping),
        provisioner);
  }

  private static ReadinessCheck clusterCheck(ClusterPlacement placement) {
    return new ReadinessCheck(
        "provisioner",
        true,
        () -> {
          for (CustomerCluster cluster : placement.clusters()) {
            try (Connection c = cluster.connect()) {
              if (!c.isValid(2)) {
                throw new IllegalStateException(
                    "customer cluster " + cluster.index() + " is not answering");
              }
            }
          }
        });
  }

  /** The in-process provisioner: customer clusters, backends, breakers, chokepoint, pool. */
  private record LocalStack(
      LocalProvisioner provisioner,
      ClusterPlacement placement,
      Set<ResourceType> services,
      ProvisionerDatabase provisionerDb) {}

  private LocalStack localStack(
      Config config, Options options, Plans plans, AesGcm aes, MeterRegistry meters) {
    ClusterPlacement placement = own(clusters(config, options.clock()));
    placement.hardenClusters();
    Breakers breakers = new Breakers(meters, options.clock());
    ProvisionerDatabase provisionerDb = provisionerDatabase(config, options);
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            new DropGuard(protectedNames(config)),
            new DropAudit(provisionerDb.jdbi()),
            breakers,
            meters);
    RedisEndpoint customerRedis = RedisEndpoint.of(config.customerRedisUrl());
    Map<ResourceType, ResourceBackend> backends =
        Map.of(
            ResourceType.POSTGRES,
            new PostgresBackend(placement, plans, options.stepHook()),
            ResourceType.REDIS,
            own(
                new RedisBackend(
                    config
                        .customerPublicHost()
                        .map(customerRedis::withPublicHost)
                        .orElse(customerRedis),
                    plans,
                    options.stepHook(),
                    meters)));
    HotPool pool =
        hotPool(config, options, provisionerDb, backends, aes, breakers, chokepoint, meters);
    return new LocalStack(
        new LocalProvisioner(
            List.copyOf(backends.values()), chokepoint, breakers, Optional.of(pool)),
        placement,
        backends.keySet(),
        provisionerDb);
  }

  private <T extends AutoCloseable> T own(T closeable) {
    closeables.push(closeable);
    return closeable;
  }

  /** The provisioner role's gRPC port. */
  public int grpcPort() {
    if (grpcPort < 0) {
      throw new IllegalStateException("the provisioner role is not running");
    }
    return grpcPort;
  }

  public int port() {
    if (api == null) {
      throw new IllegalStateException("the api role is not running");
    }
    return api.port();
  }

  @Override
  public void close() {
    while (!closeables.isEmpty()) {
      AutoCloseable c = closeables.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn(
            "shutdown.close_failed component={} error={}",
            c.getClass().getSimpleName(),
            e.toString());
      }
    }
  }
}
