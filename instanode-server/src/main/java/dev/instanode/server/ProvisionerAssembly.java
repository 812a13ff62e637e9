package dev.instanode.server;

import dev.instanode.api.ops.ReadinessCheck;
import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.dedicated.DedicatedBackend;
import dev.instanode.provisioner.dedicated.DedicatedPostgresBackend;
import dev.instanode.provisioner.dedicated.DedicatedRedisBackend;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
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
import dev.instanode.provisioner.queue.QueueBackend;
import dev.instanode.provisioner.redis.RedisBackend;
import dev.instanode.provisioner.redis.RedisEndpoint;
import dev.instanode.provisioner.storage.PrefixRechecks;
import dev.instanode.provisioner.storage.StorageBackend;
import dev.instanode.provisioner.webhook.WebhookBackend;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner role: customer clusters, one backend per kind, breakers, the audited chokepoint,
 * the hot pool and its maintenance; served over gRPC, or called in process by the api and worker.
 */
final class ProvisionerAssembly {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionerAssembly.class);
  private static final int REFILL_PARALLELISM = 4;

  /** The in-process provisioner and what the api's readiness needs of it. */
  record LocalStack(
      LocalProvisioner provisioner, ClusterPlacement placement, Set<ResourceType> services) {
    ProvisionerAccess access() {
      return new ProvisionerAccess(provisioner, clusterCheck(placement), services);
    }
  }

  /** How often dropped storage prefixes that are due are emptied again. */
  private static final Duration PREFIX_RECHECK_INTERVAL = Duration.ofMinutes(1);

  private final Config config;
  private final Application.Options options;
  private final SharedParts shared;
  private final Owned owned;
  private final Optional<StackCluster> cluster;

  ProvisionerAssembly(
      Config config,
      Application.Options options,
      SharedParts shared,
      Owned owned,
      Optional<StackCluster> cluster) {
    this.config = config;
    this.options = options;
    this.shared = shared;
    this.owned = owned;
    this.cluster = cluster;
  }

  LocalStack local() {
    ClusterPlacement placement = owned.own(clusters());
    placement.hardenClusters();
    Breakers breakers = new Breakers(shared.meters(), options.clock());
    ProvisionerDatabase provisionerDb = provisionerDatabase();
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            new DropGuard(protectedNames()),
            new DropAudit(provisionerDb.jdbi()),
            breakers,
            shared.meters());
    Map<ResourceType, ResourceBackend> backends = new EnumMap<>(ResourceType.class);
    for (ResourceKind kind : ResourceKinds.all()) {
      backend(kind, placement, provisionerDb.jdbi())
          .ifPresent(backend -> backends.put(kind.type(), backend));
    }
    HotPool pool = hotPool(provisionerDb, backends, breakers, chokepoint);
    if (backends.get(ResourceType.STORAGE) instanceof StorageBackend storage) {
      owned.own(
          new PrefixRechecks(provisionerDb.jdbi(), storage, chokepoint)
              .start(PREFIX_RECHECK_INTERVAL));
    }
    return new LocalStack(
        new LocalProvisioner(
            List.copyOf(backends.values()),
            dedicatedBackends(),
            chokepoint,
            breakers,
            Optional.of(pool)),
        placement,
        backends.keySet());
  }

  /**
   * One per kind, on a real cluster only: on the simulated one no pod ever becomes Ready, so a
   * dedicated plan's resources go on the shared backend there, and its replies say so.
   */
  private List<DedicatedBackend> dedicatedBackends() {
    DedicatedConfig dedicated = config.dedicated();
    boolean injected = options.cluster().isPresent();
    Optional<StackCluster> real =
        cluster
            .filter(c -> dedicated.mode() == DedicatedConfig.Mode.AUTO)
            .filter(c -> injected || !c.simulated());
    if (real.isEmpty()) {
      LOG.info(
          "provisioner.dedicated_off reason={}",
          dedicated.mode() == DedicatedConfig.Mode.OFF
              ? "dedicated_backends_off"
              : cluster.isEmpty() ? "no_cluster" : "simulated_cluster");
      return List.of();
    }
    DedicatedCluster servers =
        real.get().dedicated(options.dedicatedAddresses().orElseGet(dedicated::addresses));
    List<DedicatedBackend> made = new ArrayList<>();
    for (ResourceKind kind : ResourceKinds.all()) {
      if (kind.type() != ResourceType.POSTGRES && kind.type() != ResourceType.REDIS) {
        continue; // a receiver, a prefix or a queue user is never a server of its own
      }
      made.add(
          switch (kind.type()) {
            case POSTGRES ->
                new DedicatedPostgresBackend(
                    servers,
                    dedicated.settings(),
                    shared.plans(),
                    options.stepHook(),
                    options.clock());
            case REDIS ->
                owned.own(
                    new DedicatedRedisBackend(
                        servers, dedicated.settings(), shared.plans(), options.clock()));
            case WEBHOOK, STORAGE, QUEUE -> throw new IllegalStateException("skipped above");
          });
    }
    LOG.info(
        "provisioner.dedicated_on types={} ready_timeout={}",
        made.stream().map(b -> b.type().wireName()).toList(),
        dedicated.readyTimeout());
    return made;
  }

  /**
   * One backend per kind; the switch is exhaustive, so a new kind cannot go without one. Empty for
   * a kind whose server is not configured: the api answers 503 for it.
   */
  private Optional<ResourceBackend> backend(
      ResourceKind kind, ClusterPlacement placement, Jdbi provisionerJdbi) {
    return switch (kind.type()) {
      case POSTGRES ->
          Optional.of(new PostgresBackend(placement, shared.plans(), options.stepHook()));
      case WEBHOOK -> Optional.of(new WebhookBackend(shared.db().jdbi(), config.publicBaseUrl()));
      case STORAGE -> shared.objects().map(store -> new StorageBackend(store, provisionerJdbi));
      case QUEUE ->
          config
              .queue()
              .map(nats -> {
                QueueBackend queues = new QueueBackend(provisionerJdbi, nats);
                try {
                  queues.writeAuthorization();
                } catch (ProvisionerException e) {
                  // Everything else still starts; new queues fail with 503 until NATS is back.
                  LOG.warn("queues.authorization_not_written error={}", e.getMessage());
                }
                return queues;
              });
      case REDIS -> {
        RedisEndpoint customerRedis = RedisEndpoint.of(config.customerRedisUrl());
        yield Optional.of(
            owned.own(
                new RedisBackend(
                    config
                        .customerPublicHost()
                        .map(customerRedis::withPublicHost)
                        .orElse(customerRedis),
                    shared.plans(),
                    options.stepHook(),
                    shared.meters())));
      }
    };
  }

  /** Serves {@code local} over gRPC; returns the bound port. */
  int serveGrpc(LocalStack local) {
    GrpcProvisionerServer server =
        owned.own(
            GrpcProvisionerServer.start(
                config.host(),
                config.provisionerGrpcPort(),
                config.provisionerSecret().orElse(""),
                local.provisioner(),
                options.clock()));
    LOG.info("provisioner.grpc_started host={} port={}", config.host(), server.port());
    return server.port();
  }

  /** A provisioner running elsewhere, reached over gRPC with the shared secret. */
  static ProvisionerAccess remote(HostAndPort addr, Config config, Owned owned) {
    GrpcProvisionerClient client =
        owned.own(
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
    return new ProvisionerAccess(client, ready, config.servedKinds());
  }

  private ClusterPlacement clusters() {
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
        options.clock());
  }

  /** The provisioner's own schema (pool_items, drop_audit), migrated or checked. */
  private ProvisionerDatabase provisionerDatabase() {
    ProvisionerDatabase db =
        owned.own(ProvisionerDatabase.connect(config.provisionerDatabaseUrl(), 4));
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
      ProvisionerDatabase provisionerDb,
      Map<ResourceType, ResourceBackend> backends,
      Breakers breakers,
      DeprovisionChokepoint chokepoint) {
    PoolRepository items = new PoolRepository(provisionerDb.jdbi());
    HotPool pool =
        owned.own(
            new HotPool(
                backends,
                config.poolSizes(),
                items,
                shared.aes(),
                breakers,
                chokepoint,
                shared.meters(),
                REFILL_PARALLELISM,
                options.recordHook()));
    owned.own(
        new PoolMaintenance(
                pool, new PoolReaper(items, backends, chokepoint, shared.meters(), options.clock()))
            .start(config.poolRefillInterval()));
    return pool;
  }

  // The platform database may share a cluster with customers (it does in dev): never drop it.
  private Set<String> protectedNames() {
    Set<String> names = new HashSet<>();
    names.add(config.databaseUrl().database());
    names.add(config.databaseUrl().user());
    for (PostgresUrl url : config.customerDatabaseUrls()) {
      names.add(url.database());
      names.add(url.user());
    }
    return names;
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
}
