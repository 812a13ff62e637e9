package dev.instanode.provisioner.dedicated;

import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.DedicatedServer;
import dev.instanode.cluster.DedicatedSpec;
import dev.instanode.cluster.DedicatedState;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Limit;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.engine.PartialProvisionException;
import dev.instanode.provisioner.redis.ClientList;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis on its own server: one Deployment in {@code instant-customer-<token>}. The admin is the
 * {@code default} user; the tenant is {@code usr_<token>}, with every key and command but the
 * {@code @admin} ones, so it cannot lift the server's caps ({@code maxclients}, {@code maxmemory}
 * with {@code noeviction}) from its own session; each binding is a user {@code bnd_<token>_<key>}
 * with the same rules. Everything the server starts with comes from the namespace's Secret (the
 * bindings' users as a config file it reads first), so a restarted pod keeps a rotated password, a
 * regraded cap and the bindings as they are.
 */
public final class DedicatedRedisBackend implements DedicatedBackend, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DedicatedRedisBackend.class);
  static final String SERVER = "redis";
  static final String ADMIN_PASSWORD = "admin-password";
  static final String TENANT_USER = "tenant-user";
  static final String TENANT_PASSWORD = "tenant-password";
  static final String MAXCLIENTS = "maxclients";
  static final String MAXMEMORY = "maxmemory";

  /** The Secret's key holding the binding users' config file; missing on servers made before. */
  static final String BINDING_USERS = "binding-users";

  /** Where the server finds that file, the first thing it is told to read. */
  static final String BINDING_USERS_FILE = "/etc/instanode/bindings.conf";

  /** What the tenant, and each binding beside it, may do: everything but {@code @admin}. */
  static final List<String> TENANT_RULES = List.of("~*", "&*", "+@all", "-@admin");

  /** Connections kept for the admin and the probes beyond what the tenant may hold. */
  static final int ADMIN_HEADROOM = 4;

  /** Redis' own default, for a plan with no connection cap. */
  static final long UNCAPPED_CLIENTS = 10_000;

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final DedicatedServers servers;
  private final DedicatedCluster cluster;
  private final Plans plans;
  private final RedisClient client = RedisClient.create();

  public DedicatedRedisBackend(
      DedicatedCluster cluster, DedicatedSettings settings, Plans plans, Clock clock) {
    this.servers = new DedicatedServers(cluster, settings, plans, clock);
    this.cluster = cluster;
    this.plans = plans;
  }

  @Override
  public ResourceType type() {
    return ResourceType.REDIS;
  }

  private DedicatedServer server() {
    Map<String, String> fromSecret = new LinkedHashMap<>();
    fromSecret.put("REDIS_ADMIN_PASSWORD", ADMIN_PASSWORD);
    fromSecret.put("REDIS_TENANT_USER", TENANT_USER);
    fromSecret.put("REDIS_TENANT_PASSWORD", TENANT_PASSWORD);
    fromSecret.put("REDIS_MAXCLIENTS", MAXCLIENTS);
    fromSecret.put("REDIS_MAXMEMORY", MAXMEMORY);
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "redis-server",
            // Its config file: the bindings' users, which combine with the --user below.
            BINDING_USERS_FILE,
            "--requirepass",
            "$(REDIS_ADMIN_PASSWORD)",
            "--appendonly",
            "yes",
            "--dir",
            "/data",
            "--maxclients",
            "$(REDIS_MAXCLIENTS)",
            "--maxmemory",
            "$(REDIS_MAXMEMORY)",
            "--maxmemory-policy",
            "noeviction",
            "--user",
            "$(REDIS_TENANT_USER)",
            "on",
            ">$(REDIS_TENANT_PASSWORD)"));
    args.addAll(TENANT_RULES);
    return new DedicatedServer(
        SERVER,
        servers.settings().redisImage(),
        6379,
        args,
        fromSecret,
        Map.of(),
        "/data",
        999,
        true,
        // A TCP check: with every client slot taken by the tenant, a PING could not get in, and a
        // Ready server would be taken out of its Service.
        List.of(),
        Map.of(BINDING_USERS_FILE, BINDING_USERS));
  }

  /** The server's caps for {@code tier}, as Redis takes them. */
  record Caps(long maxclients, long maxmemoryBytes) {
    Map<String, String> secretValues() {
      return Map.of(
          MAXCLIENTS, Long.toString(maxclients), MAXMEMORY, Long.toString(maxmemoryBytes));
    }
  }

  Caps caps(Tier tier) {
    Plan.RedisLimits limits = plans.of(tier).redis();
    return new Caps(
        Limit.isUnlimited(limits.connections())
            ? UNCAPPED_CLIENTS
            : limits.connections() + ADMIN_HEADROOM,
        Limit.isUnlimited(limits.memoryMb()) ? 0 : limits.memoryMb() * 1024 * 1024);
  }

  @Override
  public ProvisionResult provision(
      ResourceToken token, Tier tier, TeamId owner, RequestId requestId) {
    String user = AclUserName.of(token).value();
    String password = Secrets.hex(16);
    Map<String, String> secret = new LinkedHashMap<>(caps(tier).secretValues());
    secret.put(ADMIN_PASSWORD, Secrets.hex(16));
    secret.put(TENANT_USER, user);
    secret.put(TENANT_PASSWORD, password);
    secret.put(BINDING_USERS, "");
    DedicatedSpec spec = servers.spec(token, tier, owner, type(), server(), secret);
    ProviderResourceId prid = DedicatedIds.of(spec.namespace());
    try {
      return servers.start(
          spec,
          running -> {
            String url = url(running, user, running.secret().get(TENANT_PASSWORD));
            proveWorks(running, user, running.secret().get(TENANT_PASSWORD));
            return new ProvisionResult(url, prid, Optional.empty(), caps(tier).maxclients());
          });
    } catch (ProvisionerException e) {
      throw new PartialProvisionException(prid, e);
    } catch (RuntimeException e) {
      throw new PartialProvisionException(
          prid,
          new ProvisionerException(
              ProvisionerException.Kind.INTERNAL, "dedicated provision failed", e));
    }
  }

  private static String url(DedicatedServers.Running running, String user, String password) {
    return "redis://"
        + user
        + ":"
        + password
        + "@"
        + running.address().host()
        + ":"
        + running.address().port()
        + "/0";
  }

  /** AUTH as the tenant and PING, as the customer will. */
  private void proveWorks(DedicatedServers.Running running, String user, String password) {
    RedisURI uri =
        RedisURI.builder()
            .withHost(running.address().host())
            .withPort(running.address().port())
            .withAuthentication(user, password.toCharArray())
            .withTimeout(TIMEOUT)
            .build();
    try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
      if (!"PONG".equals(c.sync().ping())) {
        throw new ProvisionerException(
            ProvisionerException.Kind.UNAVAILABLE, "the tenant's PING was not answered", null);
      }
    } catch (RedisException e) {
      throw classify("tenant could not connect yet", e);
    }
  }

  private <T> T asAdmin(
      DedicatedServers.Running running,
      String what,
      Function<RedisCommands<String, String>, T> work) {
    RedisURI uri =
        RedisURI.builder()
            .withHost(running.address().host())
            .withPort(running.address().port())
            .withAuthentication(
                "default", running.secret().getOrDefault(ADMIN_PASSWORD, "").toCharArray())
            .withTimeout(TIMEOUT)
            .build();
    try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
      return work.apply(c.sync());
    } catch (RedisException e) {
      throw classify(what, e);
    }
  }

  private static ProvisionerException classify(String what, RedisException e) {
    boolean unreachable =
        e instanceof RedisConnectionException || e instanceof RedisCommandTimeoutException;
    return new ProvisionerException(
        unreachable ? ProvisionerException.Kind.UNAVAILABLE : ProvisionerException.Kind.INTERNAL,
        what + " failed (" + e.getClass().getSimpleName() + ")",
        null);
  }

  private DedicatedServers.Running running(InfraKey key) {
    return servers.require(DedicatedIds.namespace(key), SERVER);
  }

  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    servers.delete(DedicatedIds.namespace(key));
  }

  @Override
  public OptionalLong connectionLimit(Tier tier) {
    return OptionalLong.of(caps(tier).maxclients());
  }

  @Override
  public Optional<String> grade(Tier tier) {
    return Optional.of(caps(tier).toString());
  }

  /**
   * {@code CONFIG SET maxclients} and {@code maxmemory} (with {@code noeviction}) on the running
   * server, then the Secret, so a restart keeps them. A server that is gone is an unexpected skip.
   */
  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    Caps caps = caps(tier);
    NamespaceName ns = DedicatedIds.namespace(key);
    return switch (servers.forRegrade(
        ns, SERVER, caps.maxclients(), SkipReason.REDIS_AUTH_SECRET_MISSING)) {
      case DedicatedServers.Skip skip -> skip.result();
      case DedicatedServers.Here here -> {
        boolean changed =
            asAdmin(
                here.running(),
                "regrade",
                redis -> {
                  if (Long.toString(caps.maxclients()).equals(config(redis, "maxclients"))
                      && Long.toString(caps.maxmemoryBytes()).equals(config(redis, "maxmemory"))
                      && "noeviction".equals(config(redis, "maxmemory-policy"))) {
                    return false;
                  }
                  redis.configSet("maxclients", Long.toString(caps.maxclients()));
                  redis.configSet("maxmemory", Long.toString(caps.maxmemoryBytes()));
                  redis.configSet("maxmemory-policy", "noeviction");
                  return true;
                });
        DedicatedServers.onCluster(() -> {
          cluster.updateAdminSecret(ns, SERVER, caps.secretValues());
          return null;
        });
        yield changed
            ? RegradeResult.applied(caps.maxclients())
            : RegradeResult.skipped(
                caps.maxclients(), SkipReason.ALREADY_CORRECT, RegradeResult.ALREADY_CORRECT);
      }
    };
  }

  private static String config(RedisCommands<String, String> redis, String name) {
    return redis.configGet(name).get(name);
  }

  /** A new password for the tenant, its sessions ended, then the Secret (so a restart keeps it). */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    NamespaceName ns = DedicatedIds.namespace(key);
    DedicatedServers.Running running = running(key);
    String user = running.secret().getOrDefault(TENANT_USER, AclUserName.of(key).value());
    String password = Secrets.hex(16);
    // The new password works before the Secret names it, and the old one stops only after: a
    // failure at any step leaves a password the Secret (what a restarted pod starts from) and the
    // stored URL agree on.
    asAdmin(
        running,
        "rotate_credentials",
        redis -> {
          if (redis.aclGetuser(user) == null) {
            throw new ProvisionerException(
                ProvisionerException.Kind.INVALID_ARGUMENT, "user does not exist", null);
          }
          redis.aclSetuser(user, AclSetuserArgs.Builder.addPassword(password));
          return null;
        });
    try {
      DedicatedServers.onCluster(() -> {
        cluster.updateAdminSecret(ns, SERVER, Map.of(TENANT_PASSWORD, password));
        return null;
      });
    } catch (ProvisionerException e) {
      asAdmin(
          running,
          "rotate_credentials",
          redis -> redis.aclSetuser(user, AclSetuserArgs.Builder.removePassword(password)));
      throw e;
    }
    asAdmin(
        running,
        "rotate_credentials",
        redis -> {
          redis.aclSetuser(user, AclSetuserArgs.Builder.resetpass().addPassword(password));
          redis.clientKill(KillArgs.Builder.user(user));
          return null;
        });
    return url(running, user, password);
  }

  /**
   * A user of the binding's own with the tenant's rules and a new password, which a restarted pod
   * keeps: the Secret's config file, which the server reads at every start, names it by its
   * password's hash. Bound again, it gets a new password and its sessions are ended.
   *
   * <p>The Secret is written first, then the live server: every user the server holds is one the
   * Secret names, so none outlives a restart unseen by {@link #bindingLogins} or an unbind, and
   * there is nothing to undo when the Secret cannot be written. A failure after it leaves a line
   * whose password was given to no one (or, bound again, the old password live until the server
   * restarts); the retried bind replaces it, the unbind removes it.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the tenant's user does not exist, or
   *     the server was made before bindings (its pod reads no such file; nothing is changed then)
   */
  @Override
  public String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    NamespaceName ns = DedicatedIds.namespace(key);
    DedicatedServers.Running running = running(key);
    String tenant = running.secret().getOrDefault(TENANT_USER, AclUserName.of(key).value());
    String user = BindingLogin.of(key, binding).value();
    String password = Secrets.hex(16);
    List<String> rules = BindingUsers.rules(password, TENANT_RULES);
    asAdmin(
        running,
        "create_binding",
        redis -> {
          if (!userExists(redis, tenant)) {
            throw new ProvisionerException(
                ProvisionerException.Kind.INVALID_ARGUMENT, "user does not exist", null);
          }
          return null;
        });
    boolean known =
        DedicatedServers.onCluster(() ->
            cluster.editAdminSecret(
                ns, SERVER, BINDING_USERS, file -> BindingUsers.with(file, user, rules)));
    if (!known) {
      // The Secret has no file: nothing was written, and the live server is left as it was.
      throw predatesBindings();
    }
    asAdmin(
        running,
        "create_binding",
        redis -> {
          // reset first: the live user is then exactly what the file makes of it at a restart.
          List<String> exact = new ArrayList<>(List.of("reset"));
          exact.addAll(rules);
          setUser(redis, user, exact);
          // Redis checks a password only at AUTH: sessions opened with an old one would live on.
          ClientList.killAllOf(redis, user);
          return null;
        });
    return url(running, user, password);
  }

  /**
   * Removes the user from the Secret's file, then from the live server, and ends its sessions;
   * idempotent. A namespace gone, or being deleted, takes the server and its Secret with it.
   */
  @Override
  public void dropBinding(InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    NamespaceName ns = DedicatedIds.namespace(key);
    String user = BindingLogin.of(key, binding).value();
    Optional<DedicatedServers.Running> running = live(ns);
    if (running.isEmpty()) {
      return;
    }
    // The file first: a restart between the two steps brings the user back no more.
    DedicatedServers.onCluster(() ->
        cluster.editAdminSecret(
            ns, SERVER, BINDING_USERS, file -> BindingUsers.without(file, user)));
    asAdmin(
        running.get(),
        "drop_binding",
        redis -> {
          ClientList.killAllOf(redis, user);
          // DELUSER also ends sessions opened since the kill; 0 when an earlier drop got here.
          redis.aclDeluser(user);
          return null;
        });
  }

  /**
   * The binding users the Secret's file names and those the live server holds (one an unbind
   * removed from the file and not yet from the server); none once the namespace is gone or going.
   */
  @Override
  public List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId providerResourceId) {
    Optional<DedicatedServers.Running> running = live(DedicatedIds.namespace(key));
    if (running.isEmpty()) {
      return List.of();
    }
    Set<String> users =
        new TreeSet<>(BindingUsers.users(running.get().secret().getOrDefault(BINDING_USERS, "")));
    users.addAll(asAdmin(running.get(), "binding_logins", RedisCommands::aclUsers));
    return users.stream()
        .filter(u -> BindingLogin.keyOf(u).filter(key::equals).isPresent())
        .map(BindingLogin::new)
        .toList();
  }

  /** The server of a namespace that exists and is not being deleted, when it has one. */
  private Optional<DedicatedServers.Running> live(NamespaceName ns) {
    return DedicatedServers.onCluster(() ->
        cluster.state(ns, SERVER) instanceof DedicatedState.Absent
            ? Optional.empty()
            : servers.running(ns, SERVER));
  }

  private static ProvisionerException predatesBindings() {
    return new ProvisionerException(
        ProvisionerException.Kind.INVALID_ARGUMENT,
        "this server predates bindings: its pod reads no binding users at a start, so a binding"
            + " would be lost at the next one",
        null);
  }

  // A missing user is a nil reply, which Lettuce hands back as a list holding one null.
  private static boolean userExists(RedisCommands<String, String> redis, String user) {
    List<Object> described = redis.aclGetuser(user);
    return described != null && !described.isEmpty() && described.getFirst() != null;
  }

  private static void setUser(
      RedisCommands<String, String> redis, String user, List<String> rules) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
    rules.forEach(args::add);
    redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
  }

  /** The server's own {@code maxmemory} with {@code noeviction} refuses writes over the plan. */
  @Override
  public boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    return false;
  }

  /** The whole server is the tenant's: nothing to shed for anyone else. */
  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    return 0;
  }

  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    if (cap < 0) {
      return 0;
    }
    DedicatedServers.Running running = running(key);
    String user = running.secret().getOrDefault(TENANT_USER, AclUserName.of(key).value());
    return asAdmin(
        running,
        "close_connections",
        redis -> {
          List<Long> ids = new ArrayList<>();
          // The tenant's own connections and its bindings' are held to the one cap together.
          for (String line : redis.clientList().split("\n")) {
            if (BindingLogin.actsFor(ClientList.field(line, "user"), key, user)) {
              ids.add(Long.parseLong(ClientList.field(line, "id")));
            }
          }
          // Newest first: client ids only grow.
          ids.sort(Comparator.reverseOrder());
          int closed = 0;
          for (long id : ids.subList(0, (int) Math.max(0, ids.size() - cap))) {
            closed += (int) (long) redis.clientKill(KillArgs.Builder.id(id));
          }
          return closed;
        });
  }

  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    return asAdmin(running(key), "storage_bytes", DedicatedRedisBackend::usedMemory);
  }

  private static long usedMemory(RedisCommands<String, String> redis) {
    for (String line : redis.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    return 0;
  }

  /**
   * Every dedicated server's tenant: what it holds, its connections, and whether the server is
   * refusing its writes (full at {@code maxmemory}).
   */
  @Override
  public UsageReport usage() {
    List<TenantUsage> tenants = new ArrayList<>();
    boolean complete =
        servers.eachReady(
            type(),
            SERVER,
            "usage",
            (ns, running) -> {
              ResourceToken token =
                  ResourceToken.parse(
                          ns.value().substring(NamespaceName.Kind.CUSTOMER.prefix().length()))
                      .orElseThrow();
              String user = running.secret().getOrDefault(TENANT_USER, "");
              tenants.add(
                  asAdmin(
                      running,
                      "usage",
                      redis -> {
                        matchBindingsToSecret(
                            redis, token, running.secret().getOrDefault(BINDING_USERS, ""));
                        long used = usedMemory(redis);
                        long max = Long.parseLong(config(redis, "maxmemory"));
                        int connections = 0;
                        for (String line : redis.clientList().split("\n")) {
                          connections +=
                              BindingLogin.actsFor(ClientList.field(line, "user"), token, user)
                                  ? 1
                                  : 0;
                        }
                        return new TenantUsage(
                            token, used, true, -1, connections, max > 0 && used >= max);
                      }));
            });
    return new UsageReport(tenants, complete, false);
  }

  /**
   * Puts the live server's binding users back to what its Secret names. A container restarted
   * before the kubelet refreshed its mounted copy of the Secret starts from an older file: a
   * binding unbound since would be back, one bound since missing. Each usage pass ends the first
   * (its sessions too) and makes the second again from its line.
   */
  private static void matchBindingsToSecret(
      RedisCommands<String, String> redis, InfraKey key, String file) {
    Set<String> named = new TreeSet<>(BindingUsers.users(file));
    for (String live : redis.aclUsers()) {
      if (BindingLogin.keyOf(live).filter(key::equals).isPresent() && !named.remove(live)) {
        redis.aclDeluser(live);
        ClientList.killAllOf(redis, live);
        LOG.warn("provisioner.dedicated_binding_removed login={}", new BindingLogin(live).masked());
      }
    }
    for (String missing : named) {
      BindingUsers.rulesOf(file, missing)
          .ifPresent(rules -> {
            setUser(redis, missing, rules);
            LOG.warn(
                "provisioner.dedicated_binding_restored login={}",
                new BindingLogin(missing).masked());
          });
    }
  }

  /** Redis has no long statements or idle transactions to end. */
  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    return new RunawayResult(0, 0);
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
