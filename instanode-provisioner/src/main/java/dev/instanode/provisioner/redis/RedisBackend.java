package dev.instanode.provisioner.redis;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Masking;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.engine.PartialProvisionException;
import dev.instanode.provisioner.engine.ResourceBackend;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis on one shared server: each resource is an ACL user {@code usr_<token>} confined to the keys
 * and channels under {@code <token>:} in database 0 (see {@link TenantAcl}).
 */
public final class RedisBackend implements ResourceBackend, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);
  static final String STEP_ACL_SETUSER = "acl_setuser";
  static final String STEP_ACL_SAVE = "acl_save";

  /** One shared Redis for now; a second one would be {@code redis:1}. */
  static final ProviderResourceId PROVIDER_RESOURCE_ID = ProviderResourceId.of("redis:0");

  static final String REGRADE_UNSUPPORTED = "backend does not support redis regrade";

  /**
   * Keys one exact measurement ({@link #storageBytes}) sums at most. Past it the figure is a lower
   * bound; a million keys are tens of MB even at their smallest, more than every plan but the
   * largest allows.
   */
  static final int STORAGE_MAX_KEYS = 1_000_000;

  /** Keys one usage pass visits at most; a larger keyspace gives an incomplete report. */
  static final long CENSUS_MAX_KEYS = 1_000_000;

  /**
   * A hash of tenant user → creation time (epoch millis). Outside every tenant's key and channel
   * patterns, and ignored by the census, which counts only keys under a tenant's prefix.
   */
  static final String CREATED = "instanode:created";

  /**
   * A user made, read and deleted in each usage pass to learn how this server writes each of our
   * command rule sets in ACL LIST (servers describe rules their own way): a tenant's writes are
   * stopped exactly when its rules read like the read-and-delete set. No {@code usr_} prefix, so it
   * is never taken for a tenant.
   */
  static final String RULES_PROBE_USER = "instanode_rules_probe";

  private static final String WRITABLE = "_writable";
  private static final String READ_AND_DELETE = "_read_and_delete";

  /** Used memory, in percent of maxmemory, from which the server counts as short of room. */
  static final long PRESSURE_PERCENT = 80;

  private static final int PASSWORD_BYTES = 16;

  private final RedisEndpoint endpoint;
  private final Plans plans;
  private final ProvisionStepHook hook;
  private final AdminConnection admin;
  private final long censusMaxKeys;
  private final Clock clock = Clock.systemUTC();
  private final AtomicLong maxmemoryGauge = new AtomicLong();
  private final AclSaves aclSaves = new AclSaves();
  private final KnownCommands knownCommands = new KnownCommands();
  private final Counter aclFileWrites;

  /** Connects lazily: a Redis that is down fails provisions, not construction. */
  public RedisBackend(
      RedisEndpoint endpoint, Plans plans, ProvisionStepHook hook, MeterRegistry meters) {
    this(endpoint, plans, hook, meters, CENSUS_MAX_KEYS);
  }

  RedisBackend(
      RedisEndpoint endpoint,
      Plans plans,
      ProvisionStepHook hook,
      MeterRegistry meters,
      long censusMaxKeys) {
    this.endpoint = endpoint;
    this.plans = plans;
    this.hook = hook;
    this.admin = new AdminConnection(endpoint);
    this.censusMaxKeys = censusMaxKeys;
    this.aclFileWrites =
        Counter.builder("instant_customer_redis_acl_saves_total")
            .description("ACL SAVEs run; concurrent user changes share one")
            .register(meters);
    Gauge.builder("instant_customer_redis_maxmemory_bytes", maxmemoryGauge, AtomicLong::get)
        .description("maxmemory of the customer Redis as last read; 0 means unbounded")
        .register(meters);
  }

  @Override
  public ResourceType type() {
    return ResourceType.REDIS;
  }

  @Override
  public String backendLabel() {
    return "shared";
  }

  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    String password = Secrets.hex(PASSWORD_BYTES);
    // Nothing exists yet, so failures up to here are plain errors with nothing to roll back.
    RedisCommands<String, String> redis;
    List<String> rules;
    try {
      redis = admin.get().sync();
      rules = TenantAcl.rules(tenant, password, knownCommands.of(redis));
    } catch (RuntimeException e) {
      throw RedisFailures.classify("provision", e);
    }
    // The stamp goes first: a user never exists without its age. A crash after it leaves a stamp
    // with no user, which the inventory ignores and the next provision of the key overwrites.
    try {
      redis.hset(CREATED, tenant.user(), Long.toString(clock.millis()));
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("OOM")) {
        throw RedisFailures.classify("provision", e);
      }
      // A full server refuses the stamp but not ACL SETUSER: provision without it. The user's
      // age is then unknown, which a sweep never reads as old.
      LOG.warn(
          "provisioner.redis.stamp_skipped user={} reason=oom: the server is full",
          Masking.token(tenant.user()));
    } catch (RuntimeException e) {
      throw RedisFailures.classify("provision", e);
    }
    // From ACL SETUSER on, a user may exist (a timed-out SETUSER may still have run): any failure
    // hands the caller the resource id so it drops the user through the chokepoint.
    try {
      setUser(redis, tenant.user(), rules);
      hook.afterStep(STEP_ACL_SETUSER, key);
      persistAcl(redis);
      hook.afterStep(STEP_ACL_SAVE, key);
    } catch (RuntimeException e) {
      throw new PartialProvisionException(
          PROVIDER_RESOURCE_ID, RedisFailures.classify("provision", e));
    }
    return new ProvisionResult(
        endpoint.customerUrl(tenant.user(), password),
        PROVIDER_RESOURCE_ID,
        Optional.of(tenant.keyPrefix()),
        -1);
  }

  /**
   * Every tenant user ({@code usr_<key>}) the server holds, with the creation time stamped beside
   * it in {@link #CREATED} (a key no tenant's patterns reach).
   */
  @Override
  public List<InventoryItem> inventory() {
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      Map<String, String> stamps = redis.hgetall(CREATED);
      List<InventoryItem> items = new ArrayList<>();
      for (String user : redis.aclUsers()) {
        if (!user.startsWith(AclUserName.PREFIX)) {
          continue;
        }
        Optional<InfraKey> key = InfraKey.parse(user.substring(AclUserName.PREFIX.length()));
        if (key.isEmpty()) {
          continue;
        }
        Optional<Instant> created =
            Optional.ofNullable(stamps.get(user))
                .flatMap(RedisBackend::millis)
                .map(Instant::ofEpochMilli);
        items.add(new InventoryItem(key.get(), 1, created, false));
      }
      return items;
    } catch (RuntimeException e) {
      throw RedisFailures.classify("inventory", e);
    }
  }

  private static Optional<Long> millis(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Returns once the ACL file on disk holds every user change this thread made before. */
  private void persistAcl(RedisCommands<String, String> redis) {
    aclSaves.covering(() -> {
      AclFile.save(redis);
      aclFileWrites.increment();
    });
  }

  // Lettuce's typed aclSetuser builds the rules from enums; the raw form keeps the exact rule list
  // in one place (TenantAcl), where it can be read and tested.
  private static void setUser(
      RedisCommands<String, String> redis, String user, List<String> rules) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
    rules.forEach(args::add);
    redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
  }

  /** Always exactly {@code usr_<token>}: the prefix means it can never be {@code default}. */
  @Override
  public List<InfraName> objectNames(InfraKey key) {
    return List.of(new AclUserName(TenantKeyspace.of(key).user()));
  }

  /**
   * Disconnects and deletes the user, persists that, then unlinks every key under its prefix. Each
   * step succeeds when there is nothing left to do, so a repeated or half-finished drop completes.
   * The user goes first so no client can write new keys behind the sweep.
   */
  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    try {
      StatefulRedisConnection<String, String> connection = admin.get();
      RedisCommands<String, String> redis = connection.sync();
      ClientList.killAllOf(redis, tenant.user());
      // DELUSER also disconnects the user's clients (Redis 6+), including any that connected
      // since the kill above; 0 deleted means a previous drop got this far.
      redis.aclDeluser(tenant.user());
      // The bindings' logins are switched off (not deleted: the chokepoint deletes them next,
      // each guarded), so none writes keys behind the sweep below.
      for (BindingLogin binding : bindingLogins(redis, key)) {
        setUser(redis, binding.value(), List.of("off", "-@all"));
        ClientList.killAllOf(redis, binding.value());
      }
      persistAcl(redis);
      new PrefixKeys(connection, tenant.pattern(), endpoint.commandTimeout()).unlinkAll();
      redis.hdel(CREATED, tenant.user());
    } catch (RuntimeException e) {
      throw RedisFailures.classify("deprovision", e);
    }
  }

  /**
   * Always skipped: every tenant shares one Redis process and ACL users carry no memory cap, so
   * there is nothing per tenant to change. The plan's memory cap (MB, 0 = none) is reported in the
   * limit field, as the original did, so callers can see what a capable backend would apply.
   */
  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    long memoryMb = plans.storageLimitMb(tier, ResourceType.REDIS);
    return RegradeResult.skipped(
        Math.max(memoryMb, 0), SkipReason.BACKEND_UNSUPPORTED, REGRADE_UNSUPPORTED);
  }

  /** MEMORY USAGE summed over the tenant's keys, at most {@value #STORAGE_MAX_KEYS} of them. */
  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    try {
      return new PrefixKeys(admin.get(), tenant.pattern(), endpoint.commandTimeout())
          .memoryUsage(STORAGE_MAX_KEYS);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("storage_bytes", e);
    }
  }

  /**
   * Replaces the user's password and nothing else, persists that, and disconnects its clients:
   * Redis checks a password only at AUTH, so connections made with the old one would live on.
   */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    String password = Secrets.hex(PASSWORD_BYTES);
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      // ACL SETUSER creates a user it does not find. A drop between this check and the SETUSER
      // would leave such a user behind, but it is "off" with no keys or commands: it can neither
      // log in nor touch data.
      if (!userExists(redis, tenant.user())) {
        throw new ProvisionerException(
            ProvisionerException.Kind.INVALID_ARGUMENT, "user does not exist", null);
      }
      setUser(redis, tenant.user(), TenantAcl.passwordRules(password));
      redis.clientKill(KillArgs.Builder.user(tenant.user()));
      persistAcl(redis);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("rotate_credentials", e);
    }
    return endpoint.customerUrl(tenant.user(), password);
  }

  /**
   * A user of the binding's own with exactly the tenant's rules: its key and channel patterns and
   * its command rules as the server holds them now (so a write-blocked tenant's binding is blocked
   * too), and a password of its own. Bound again, it gets a new password and its clients are
   * disconnected.
   */
  @Override
  public String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    String user = BindingLogin.of(key, binding).value();
    String password = Secrets.hex(PASSWORD_BYTES);
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      String commands =
          commandRulesOf(redis, tenant.user())
              .orElseThrow(() ->
                  new ProvisionerException(
                      ProvisionerException.Kind.INVALID_ARGUMENT, "user does not exist", null));
      boolean renewed = userExists(redis, user);
      setUser(redis, user, TenantAcl.bindingRules(tenant, password, commands));
      if (renewed) {
        // Redis checks a password only at AUTH: connections made with the old one would live on.
        ClientList.killAllOf(redis, user);
      }
      persistAcl(redis);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("create_binding", e);
    }
    return endpoint.customerUrl(user, password);
  }

  /** Disconnects and deletes the binding's user; the keys are the tenant's and stay. */
  @Override
  public void dropBinding(InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    String user = BindingLogin.of(key, binding).value();
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      ClientList.killAllOf(redis, user);
      redis.aclDeluser(user);
      persistAcl(redis);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("drop_binding", e);
    }
  }

  @Override
  public List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId providerResourceId) {
    try {
      return bindingLogins(admin.get().sync(), key);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("binding_logins", e);
    }
  }

  private static List<BindingLogin> bindingLogins(
      RedisCommands<String, String> redis, InfraKey key) {
    return redis.aclUsers().stream()
        .filter(u -> BindingLogin.keyOf(u).filter(key::equals).isPresent())
        .map(BindingLogin::new)
        .toList();
  }

  // A missing user is a nil reply, which Lettuce hands back as a list holding one null.
  private static boolean userExists(RedisCommands<String, String> redis, String user) {
    List<Object> described = redis.aclGetuser(user);
    return described != null && !described.isEmpty() && described.getFirst() != null;
  }

  /**
   * Every tenant user (ACL USERS) with its keys, estimated memory and connections, from one bounded
   * pass ({@link TenantCensus}). On the way it renews the rules of users made before scripting was
   * taken away, and keeps the server on {@code noeviction}: with any other policy, one tenant's
   * writes would evict other tenants' keys.
   */
  @Override
  public UsageReport usage() {
    try {
      StatefulRedisConnection<String, String> connection = admin.get();
      RedisCommands<String, String> redis = connection.sync();
      long maxmemory = guardMemoryPolicy(redis);
      Set<String> known = knownCommands.of(redis);
      // Unique names: two provisioner replicas measuring at once must not delete each other's.
      String probe = RULES_PROBE_USER + "_" + Secrets.hex(6);
      Map<String, String> rules = commandRulesByUser(redis, known, probe);
      String writable = rules.get(probe + WRITABLE);
      String readAndDelete = rules.get(probe + READ_AND_DELETE);
      if (writable == null || readAndDelete == null) {
        throw new IllegalStateException("the rules probe users were not there to read");
      }
      Set<String> users = new HashSet<>();
      Set<String> blocked = new HashSet<>();
      boolean renewed = false;
      for (Map.Entry<String, String> user : rules.entrySet()) {
        if (!user.getKey().startsWith(AclUserName.PREFIX)) {
          continue;
        }
        String naming = user.getKey().substring(AclUserName.PREFIX.length());
        users.add(naming);
        if (user.getValue().equals(readAndDelete)) {
          blocked.add(naming);
        } else if (!user.getValue().equals(writable)) {
          // Rules from before the current set (such as scripting, now gone): renew them. Every
          // user made before writes could be stopped was writable.
          setUser(redis, user.getKey(), TenantAcl.commandRules(true, known));
          renewed = true;
          LOG.info("provisioner.redis.rules_renewed user={}", Masking.token(user.getKey()));
        }
      }
      if (renewed) {
        persistAcl(redis);
      }
      boolean underPressure =
          maxmemory > 0 && usedMemory(redis) >= maxmemory * PRESSURE_PERCENT / 100;
      return new TenantCensus(connection, endpoint.commandTimeout(), censusMaxKeys)
          .take(users, blocked, underPressure);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("usage", e);
    }
  }

  /**
   * Every user's command rules as ACL LIST writes them, including the two probe users made here
   * with the writable and the read-and-delete sets (and deleted again), so that a tenant's can be
   * compared with each.
   */
  private static Map<String, String> commandRulesByUser(
      RedisCommands<String, String> redis, Set<String> known, String probe) {
    for (boolean writable : List.of(true, false)) {
      List<String> rules = new ArrayList<>(List.of("reset", "off"));
      rules.addAll(TenantAcl.commandRules(writable, known));
      setUser(redis, probe + (writable ? WRITABLE : READ_AND_DELETE), rules);
    }
    try {
      Map<String, String> byUser = new HashMap<>();
      for (String line : redis.aclList()) {
        String[] words = line.split(" ");
        int commands = line.indexOf(" -@all");
        if (words.length > 1 && commands > 0) {
          byUser.put(words[1], line.substring(commands + 1));
        }
      }
      return byUser;
    } finally {
      redis.aclDeluser(probe + WRITABLE, probe + READ_AND_DELETE);
    }
  }

  /** One user's command rules as ACL LIST writes them; empty when there is no such user. */
  private static Optional<String> commandRulesOf(RedisCommands<String, String> redis, String user) {
    String prefix = "user " + user + " ";
    for (String line : redis.aclList()) {
      int commands = line.indexOf(" -@all");
      if (line.startsWith(prefix) && commands > 0) {
        return Optional.of(line.substring(commands + 1));
      }
    }
    return Optional.empty();
  }

  /** Keeps the server on noeviction; returns its maxmemory (0 = unbounded). */
  private long guardMemoryPolicy(RedisCommands<String, String> redis) {
    String policy = redis.configGet("maxmemory-policy").getOrDefault("maxmemory-policy", "");
    if (!policy.equals("noeviction")) {
      LOG.warn(
          "provisioner.redis.eviction_policy_fixed was={}: tenants' keys must never evict each"
              + " other's",
          policy);
      redis.configSet("maxmemory-policy", "noeviction");
    }
    long maxmemory = Long.parseLong(redis.configGet("maxmemory").getOrDefault("maxmemory", "0"));
    maxmemoryGauge.set(maxmemory);
    return maxmemory;
  }

  private static long usedMemory(RedisCommands<String, String> redis) {
    for (String line : redis.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }

  /**
   * Deletes the tenant's keys until what it holds is at most {@code keepBytes}. The worker asks
   * this only of a tenant over its plan while the shared server is short of room: a cache's excess
   * is shed so that other tenants can write again, which a tenant that merely stopped writing would
   * not do. What it holds is summed here, after its writes were stopped, not taken from the
   * worker's reading: a tenant still writing while the worker decided would otherwise keep what it
   * wrote meanwhile.
   */
  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    try {
      PrefixKeys keys = new PrefixKeys(admin.get(), tenant.pattern(), endpoint.commandTimeout());
      long held = keys.memoryUsage(STORAGE_MAX_KEYS);
      return held > keepBytes ? keys.unlinkAtLeast(held - keepBytes) : 0;
    } catch (RuntimeException e) {
      throw RedisFailures.classify("shed", e);
    }
  }

  /**
   * Read-and-delete rules while blocked ({@link TenantAcl#READ_AND_DELETE}), the full rules
   * otherwise; the user's passwords and key patterns stay. One ACL SETUSER, so the rules are the
   * whole state: nothing else can disagree with them.
   */
  @Override
  public boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    TenantKeyspace tenant = TenantKeyspace.of(key);
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      Optional<String> before = commandRulesOf(redis, tenant.user());
      if (before.isEmpty()) {
        throw new ProvisionerException(
            ProvisionerException.Kind.INVALID_ARGUMENT, "user does not exist", null);
      }
      List<String> rules = TenantAcl.commandRules(!blocked, knownCommands.of(redis));
      setUser(redis, tenant.user(), rules);
      // A binding writes with the tenant's keys: it is stopped and given back with the tenant.
      for (BindingLogin binding : bindingLogins(redis, key)) {
        setUser(redis, binding.value(), rules);
      }
      persistAcl(redis);
      return !before.equals(commandRulesOf(redis, tenant.user()));
    } catch (RuntimeException e) {
      throw RedisFailures.classify("set_writes_blocked", e);
    }
  }

  /** CLIENT KILL ID for the user's newest connections beyond {@code cap}. */
  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    if (cap < 0) {
      return 0;
    }
    TenantKeyspace tenant = TenantKeyspace.of(key);
    try {
      RedisCommands<String, String> redis = admin.get().sync();
      record Client(long id, long ageSeconds) {}
      List<Client> clients = new ArrayList<>();
      for (String line : redis.clientList().split("\n")) {
        // The tenant's own connections and its bindings' are held to the one cap together.
        if (BindingLogin.actsFor(ClientList.field(line, "user"), key, tenant.user())) {
          clients.add(
              new Client(
                  Long.parseLong(ClientList.field(line, "id")),
                  Long.parseLong(ClientList.field(line, "age"))));
        }
      }
      clients.sort(
          Comparator.comparingLong(Client::ageSeconds)
              .thenComparing(Comparator.comparingLong(Client::id).reversed()));
      int closed = 0;
      for (Client c : clients.subList(0, (int) Math.max(0, clients.size() - cap))) {
        closed += (int) (long) redis.clientKill(KillArgs.Builder.id(c.id()));
      }
      return closed;
    } catch (RuntimeException e) {
      throw RedisFailures.classify("close_connections", e);
    }
  }

  /** Nothing runs away here: tenants have no scripts, and every command is bounded by Redis. */
  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    return RunawayResult.NONE;
  }

  @Override
  public void close() {
    admin.close();
  }
}
