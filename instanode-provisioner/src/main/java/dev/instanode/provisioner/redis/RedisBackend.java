package dev.instanode.provisioner.redis;

import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.provisioner.PartialProvisionException;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.ResourceBackend;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Redis on one shared server: each resource is an ACL user {@code usr_<token>} confined to the keys
 * and channels under {@code <token>:} in database 0 (see {@link TenantAcl}).
 */
public final class RedisBackend implements ResourceBackend, AutoCloseable {
  static final String STEP_ACL_SETUSER = "acl_setuser";
  static final String STEP_ACL_SAVE = "acl_save";

  /** One shared Redis for now; a second one would be {@code redis:1}. */
  static final String PROVIDER_RESOURCE_ID = "redis:0";

  static final String REGRADE_UNSUPPORTED = "backend does not support redis regrade";
  static final int STORAGE_MAX_KEYS = 1000;
  private static final int PASSWORD_BYTES = 16;

  private final RedisEndpoint endpoint;
  private final Plans plans;
  private final ProvisionStepHook hook;
  private final AdminConnection admin;

  /** Connects lazily: a Redis that is down fails provisions, not construction. */
  public RedisBackend(RedisEndpoint endpoint, Plans plans, ProvisionStepHook hook) {
    this.endpoint = endpoint;
    this.plans = plans;
    this.hook = hook;
    this.admin = new AdminConnection(endpoint);
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
  public ProvisionResult provision(String namingToken, Tier tier, RequestId requestId) {
    TenantKeyspace tenant = TenantKeyspace.of(namingToken);
    String password = Secrets.hex(PASSWORD_BYTES);
    // Nothing exists yet, so failures up to here are plain errors with nothing to roll back.
    RedisCommands<String, String> redis;
    List<String> rules;
    try {
      redis = admin.get().sync();
      rules = TenantAcl.rules(tenant, password, knownCommands(redis));
    } catch (RuntimeException e) {
      throw RedisFailures.classify("provision", e);
    }
    // From ACL SETUSER on, a user may exist (a timed-out SETUSER may still have run): any failure
    // hands the caller the resource id so it drops the user through the chokepoint.
    try {
      setUser(redis, tenant.user(), rules);
      hook.afterStep(STEP_ACL_SETUSER, namingToken);
      AclFile.save(redis);
      hook.afterStep(STEP_ACL_SAVE, namingToken);
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

  // Lettuce's typed aclSetuser builds the rules from enums; the raw form keeps the exact rule list
  // in one place (TenantAcl), where it can be read and tested.
  private static void setUser(
      RedisCommands<String, String> redis, String user, List<String> rules) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
    rules.forEach(args::add);
    redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
  }

  private static Set<String> knownCommands(RedisCommands<String, String> redis) {
    Set<String> known = new HashSet<>();
    for (String command : TenantAcl.DENIED_WHERE_PRESENT) {
      List<Object> info = redis.commandInfo(command);
      if (!info.isEmpty() && info.getFirst() != null) {
        known.add(command);
      }
    }
    return known;
  }

  /** Always exactly {@code usr_<token>}: the prefix means it can never be {@code default}. */
  @Override
  public List<String> objectNames(String namingToken) {
    return List.of(TenantKeyspace.of(namingToken).user());
  }

  /**
   * Disconnects and deletes the user, persists that, then unlinks every key under its prefix. Each
   * step succeeds when there is nothing left to do, so a repeated or half-finished drop completes.
   * The user goes first so no client can write new keys behind the sweep.
   */
  @Override
  public void drop(String namingToken, String providerResourceId) {
    TenantKeyspace tenant = TenantKeyspace.of(namingToken);
    try {
      StatefulRedisConnection<String, String> connection = admin.get();
      RedisCommands<String, String> redis = connection.sync();
      killClients(redis, tenant.user());
      // DELUSER also disconnects the user's clients (Redis 6+), including any that connected
      // since the kill above; 0 deleted means a previous drop got this far.
      redis.aclDeluser(tenant.user());
      AclFile.save(redis);
      new PrefixKeys(connection, tenant.pattern(), endpoint.commandTimeout()).unlinkAll();
    } catch (RuntimeException e) {
      throw RedisFailures.classify("deprovision", e);
    }
  }

  private static void killClients(RedisCommands<String, String> redis, String user) {
    try {
      redis.clientKill(KillArgs.Builder.user(user));
    } catch (RedisCommandExecutionException e) {
      // "No such user": already deleted by an earlier drop, so it has no clients either.
      if (e.getMessage() == null || !e.getMessage().contains("No such user")) {
        throw e;
      }
    }
  }

  /**
   * Always skipped: every tenant shares one Redis process and ACL users carry no memory cap, so
   * there is nothing per tenant to change. The plan's memory cap (MB, 0 = none) is reported in the
   * limit field, as the original did, so callers can see what a capable backend would apply.
   */
  @Override
  public RegradeResult regrade(String namingToken, String providerResourceId, Tier tier) {
    long memoryMb = plans.storageLimitMb(tier, ResourceType.REDIS);
    return RegradeResult.skipped(Math.max(memoryMb, 0), REGRADE_UNSUPPORTED);
  }

  /** MEMORY USAGE summed over at most {@value #STORAGE_MAX_KEYS} of the tenant's keys. */
  @Override
  public long storageBytes(String namingToken, String providerResourceId) {
    TenantKeyspace tenant = TenantKeyspace.of(namingToken);
    try {
      return new PrefixKeys(admin.get(), tenant.pattern(), endpoint.commandTimeout())
          .memoryUsage(STORAGE_MAX_KEYS);
    } catch (RuntimeException e) {
      throw RedisFailures.classify("storage_bytes", e);
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
