package dev.instanode.server;

import dev.instanode.api.ApiServer;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.ServiceAddresses;
import dev.instanode.cluster.StackCluster;
import dev.instanode.provisioner.ProvisionStepHook;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The composition root: starts the roles asked for, each through its assembly ({@link
 * ProvisionerAssembly}, {@link WorkerAssembly}, {@link ApiAssembly}), the only places that
 * construct and wire objects. Everything they start is closed in reverse order.
 */
public final class Application implements AutoCloseable {
  private final Owned owned = new Owned();
  private ApiServer api;
  private int grpcPort = -1;
  private OpsEndpoint ops;

  private Application() {}

  /**
   * What {@link #start} needs besides configuration; tests inject faults through the hooks.
   *
   * @param stepHook called after each step a backend takes on customer infrastructure
   * @param recordHook called after each step that records a resource or pool item (the platform and
   *     pool rows); crash tests stop the process there
   * @param cluster where stacks and dedicated servers run, whatever {@code KUBERNETES_MODE} says;
   *     the caller owns it (tests pass a mock API server whose state they set)
   * @param dedicatedAddresses how dedicated servers' Services are reached, whatever {@code
   *     DEDICATED_PUBLIC_HOST} says (tests resolve them to embedded servers)
   */
  public record Options(
      boolean migrateOnStart,
      ProvisionStepHook stepHook,
      ProvisionStepHook recordHook,
      Clock clock,
      Optional<StackCluster> cluster,
      Optional<ServiceAddresses> dedicatedAddresses) {
    public Options(
        boolean migrateOnStart,
        ProvisionStepHook stepHook,
        ProvisionStepHook recordHook,
        Clock clock) {
      this(migrateOnStart, stepHook, recordHook, clock, Optional.empty(), Optional.empty());
    }

    public Options(boolean migrateOnStart, ProvisionStepHook stepHook, Clock clock) {
      this(migrateOnStart, stepHook, ProvisionStepHook.NONE, clock);
    }

    public Options withCluster(StackCluster cluster) {
      return new Options(
          migrateOnStart, stepHook, recordHook, clock, Optional.of(cluster), dedicatedAddresses);
    }

    public Options withDedicatedAddresses(ServiceAddresses addresses) {
      return new Options(
          migrateOnStart, stepHook, recordHook, clock, cluster, Optional.of(addresses));
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

  /**
   * The provisioner runs here when asked for, or when the api or worker needs one and none is
   * configured elsewhere ({@code PROVISIONER_ADDR}).
   */
  private void wire(Config config, Set<Role> roles, Options options) {
    SharedParts shared = SharedParts.build(config, options, owned);
    boolean remote = config.provisionerAddr().isPresent();
    boolean apiOrWorker = roles.contains(Role.API) || roles.contains(Role.WORKER);
    // One client for the cluster, shared by the stacks and the dedicated servers.
    Optional<StackCluster> cluster =
        options
            .cluster()
            .or(() ->
                StackAssembly.cluster(
                    config, owned, new Installation(shared.db().installationId())));
    ProvisionerAssembly provisioner =
        new ProvisionerAssembly(config, options, shared, owned, cluster);
    Optional<ProvisionerAssembly.LocalStack> local =
        roles.contains(Role.PROVISIONER) || (apiOrWorker && !remote)
            ? Optional.of(provisioner.local())
            : Optional.empty();
    if (roles.contains(Role.PROVISIONER)) {
      grpcPort = provisioner.serveGrpc(local.orElseThrow());
    }
    if (!roles.contains(Role.API)) {
      // The api serves these itself; a worker or provisioner alone would otherwise serve nothing
      // a liveness probe or a metrics scrape can reach.
      ops =
          owned.own(
              OpsEndpoint.start(
                  config.host(),
                  config.port(),
                  shared.db().jdbi(),
                  shared.meters(),
                  config.metricsToken()));
    }
    if (!apiOrWorker) {
      return;
    }
    ProvisionerAccess access =
        remote
            ? ProvisionerAssembly.remote(config.provisionerAddr().get(), config, owned)
            : local.orElseThrow().access();
    Optional<StackAssembly.Parts> stacks = StackAssembly.build(config, cluster, shared, owned);
    if (roles.contains(Role.WORKER)) {
      WorkerAssembly.start(config, options, shared, access, stacks, owned);
    }
    if (roles.contains(Role.API)) {
      api = new ApiAssembly(config, options, shared, access, stacks, owned).start();
    }
  }

  /** The provisioner role's gRPC port. */
  public int grpcPort() {
    if (grpcPort < 0) {
      throw new IllegalStateException("the provisioner role is not running");
    }
    return grpcPort;
  }

  /** The port a process without the api role serves /livez, /readyz and /metrics on. */
  public int opsPort() {
    if (ops == null) {
      throw new IllegalStateException("the api role serves its own ops routes");
    }
    return ops.port();
  }

  /** Every route the api serves, with the least team role that may call it. */
  public List<ApiServer.RouteAccess> routes() {
    if (api == null) {
      throw new IllegalStateException("the api role is not running");
    }
    return api.routes();
  }

  public int port() {
    if (api == null) {
      throw new IllegalStateException("the api role is not running");
    }
    return api.port();
  }

  @Override
  public void close() {
    owned.close();
  }
}
