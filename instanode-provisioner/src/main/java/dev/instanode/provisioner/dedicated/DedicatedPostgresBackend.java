package dev.instanode.provisioner.dedicated;

import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.DedicatedServer;
import dev.instanode.cluster.DedicatedSpec;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.engine.PartialProvisionException;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.CustomerCluster;
import dev.instanode.provisioner.postgres.PostgresBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postgres on its own server: one Deployment in {@code instant-customer-<token>}, whose admin
 * credentials live in the namespace's Secret. Inside it the tenant is made exactly as on a shared
 * cluster ({@code db_<token>} owned by {@code usr_<token>}, the tier's connection cap and role
 * settings), by the shared backend's own code aimed at this one server.
 */
public final class DedicatedPostgresBackend implements DedicatedBackend {
  private static final Logger LOG = LoggerFactory.getLogger(DedicatedPostgresBackend.class);
  static final String SERVER = "postgres";
  static final String ADMIN_USER = "pgadmin";
  static final String USERNAME_KEY = "username";
  static final String PASSWORD_KEY = "password";

  private final DedicatedServers servers;
  private final Plans plans;
  private final ProvisionStepHook hook;
  private final Clock clock;

  public DedicatedPostgresBackend(
      DedicatedCluster cluster,
      DedicatedSettings settings,
      Plans plans,
      ProvisionStepHook hook,
      Clock clock) {
    this.servers = new DedicatedServers(cluster, settings, plans, clock);
    this.plans = plans;
    this.hook = hook;
    this.clock = clock;
  }

  @Override
  public ResourceType type() {
    return ResourceType.POSTGRES;
  }

  private DedicatedServer server() {
    return new DedicatedServer(
        SERVER,
        servers.settings().postgresImage(),
        5432,
        List.of("-c", "password_encryption=scram-sha-256"),
        Map.of("POSTGRES_USER", USERNAME_KEY, "POSTGRES_PASSWORD", PASSWORD_KEY),
        Map.of("PGDATA", "/var/lib/postgresql/data/pgdata"),
        "/var/lib/postgresql/data",
        999,
        false,
        List.of("sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d postgres"),
        Map.of());
  }

  @Override
  public ProvisionResult provision(
      ResourceToken token, Tier tier, TeamId owner, RequestId requestId) {
    DedicatedSpec spec =
        servers.spec(
            token,
            tier,
            owner,
            type(),
            server(),
            Map.of(USERNAME_KEY, ADMIN_USER, PASSWORD_KEY, Secrets.hex(16)));
    ProviderResourceId prid = DedicatedIds.of(spec.namespace());
    AtomicReference<ProvisionResult> made = new AtomicReference<>();
    try {
      return servers.start(
          spec,
          running -> {
            if (made.get() == null) {
              proveWorks(adminUrl(running).toUri());
              // Once: a retry after the tenant exists would find its names taken, so a failure
              // here is final (a PartialProvisionException, which is not tried again).
              made.set(onServer(running, b -> b.provision(token, tier, requestId)));
            }
            proveWorks(made.get().connectionUrl());
            return new ProvisionResult(
                made.get().connectionUrl(), prid, Optional.empty(), made.get().appliedConnLimit());
          });
    } catch (PartialProvisionException e) {
      throw new PartialProvisionException(prid, e.failure());
    } catch (ProvisionerException e) {
      throw new PartialProvisionException(prid, e);
    } catch (RuntimeException e) {
      throw new PartialProvisionException(
          prid,
          new ProvisionerException(
              ProvisionerException.Kind.INTERNAL, "dedicated provision failed", e));
    }
  }

  /**
   * Connects with {@code url} as a customer would: the credentials work, or this throws {@code
   * UNAVAILABLE} (tried again until the deadline).
   */
  private static void proveWorks(String url) {
    PostgresUrl tenant = PostgresUrl.parse(url);
    Properties props = new Properties();
    props.setProperty("user", tenant.user());
    props.setProperty("password", tenant.password());
    // Bounded, so a server that accepts and then says nothing cannot hold past the deadline.
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", "10");
    props.setProperty("socketTimeout", "10");
    try (Connection c = DriverManager.getConnection(tenant.jdbcUrl(), props);
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
    } catch (SQLException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE,
          "could not connect yet (SQLSTATE " + e.getSQLState() + ")",
          null);
    }
  }

  /** Runs {@code work} with the shared backend's code aimed at this one server. */
  private <T> T onServer(DedicatedServers.Running running, Function<PostgresBackend, T> work) {
    try (ClusterPlacement placement =
        new ClusterPlacement(List.of(CustomerCluster.of(0, adminUrl(running))), 1, clock)) {
      return work.apply(new PostgresBackend(placement, plans, hook));
    }
  }

  private static PostgresUrl adminUrl(DedicatedServers.Running running) {
    return new PostgresUrl(
        running.address().host(),
        running.address().port(),
        "postgres",
        running.secret().getOrDefault(USERNAME_KEY, ADMIN_USER),
        running.secret().getOrDefault(PASSWORD_KEY, ""));
  }

  private <T> T onServerOf(InfraKey key, Function<PostgresBackend, T> work) {
    return onServer(servers.require(DedicatedIds.namespace(key), SERVER), work);
  }

  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    servers.delete(DedicatedIds.namespace(key));
  }

  @Override
  public OptionalLong connectionLimit(Tier tier) {
    return OptionalLong.of(plans.connectionsLimit(tier, ResourceType.POSTGRES));
  }

  @Override
  public Optional<String> grade(Tier tier) {
    return Optional.of(plans.of(tier).postgres().toString());
  }

  /** The role's cap and settings, as on a shared cluster; a server that is gone is a skip. */
  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    long limit = plans.connectionsLimit(tier, ResourceType.POSTGRES);
    return switch (servers.forRegrade(
        DedicatedIds.namespace(key), SERVER, limit, SkipReason.POSTGRES_ADMIN_SECRET_MISSING)) {
      case DedicatedServers.Skip skip -> skip.result();
      case DedicatedServers.Here here ->
          onServer(here.running(), b -> b.regrade(key, ProviderResourceId.NONE, tier));
    };
  }

  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    return onServerOf(key, b -> b.rotateCredentials(key, ProviderResourceId.NONE));
  }

  /** As on a shared cluster, by the shared backend's code aimed at this server. */
  @Override
  public String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    return onServerOf(key, b -> b.createBinding(key, ProviderResourceId.NONE, binding));
  }

  /** A server that is gone took the binding with it: nothing left to drop. */
  @Override
  public void dropBinding(InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    DedicatedServers.onCluster(() -> servers.running(DedicatedIds.namespace(key), SERVER))
        .ifPresent(running ->
            onServer(
                running,
                b -> {
                  b.dropBinding(key, ProviderResourceId.NONE, binding);
                  return null;
                }));
  }

  @Override
  public boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    return onServerOf(key, b -> b.setWritesBlocked(key, ProviderResourceId.NONE, blocked));
  }

  /** A database never loses data to make room. */
  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    return 0;
  }

  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    return onServerOf(key, b -> b.closeConnectionsOver(key, ProviderResourceId.NONE, cap));
  }

  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    return onServerOf(key, b -> b.storageBytes(key, ProviderResourceId.NONE));
  }

  /**
   * Every dedicated server's tenant; a server that does not answer makes the report incomplete (its
   * tenant is then missing, which proves nothing).
   */
  @Override
  public UsageReport usage() {
    List<TenantUsage> tenants = new ArrayList<>();
    AtomicBoolean complete = new AtomicBoolean(true);
    boolean allRead =
        servers.eachReady(
            type(),
            SERVER,
            "usage",
            (ns, running) -> {
              UsageReport one = onServer(running, PostgresBackend::usage);
              tenants.addAll(one.tenants());
              complete.compareAndSet(true, one.complete());
            });
    return new UsageReport(tenants, allRead && complete.get(), false);
  }

  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    AtomicInteger cancelled = new AtomicInteger();
    AtomicInteger ended = new AtomicInteger();
    servers.eachReady(
        type(),
        SERVER,
        "runaway",
        (ns, running) -> {
          RunawayResult r = onServer(running, b -> b.stopRunawayWork(bounds, otherwise));
          cancelled.addAndGet(r.statementsCancelled());
          ended.addAndGet(r.sessionsEnded());
        });
    return new RunawayResult(cancelled.get(), ended.get());
  }
}
