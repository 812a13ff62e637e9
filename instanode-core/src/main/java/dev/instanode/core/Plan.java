package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/** The limits of one tier, as loaded from plans.yaml. {@code -1} means unlimited. */
public record Plan(
    @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) Tier tier,
    String displayName,
    int rank,
    long priceCentsMonthly,
    long provisionsPerDay,
    boolean expires,
    PostgresLimits postgres,
    RedisLimits redis,
    WebhookLimits webhook,
    StorageLimits storage,
    QueueLimits queue,
    long teamMembers,
    VaultLimits vault,
    boolean audit,
    StackLimits stacks,
    boolean dedicated,
    DedicatedSize dedicatedSize) {

  public Plan {
    requireNonNull(tier, "tier is null");
    requireNonNull(postgres, "postgres limits are missing for " + tier.wireName());
    requireNonNull(redis, "redis limits are missing for " + tier.wireName());
    requireNonNull(webhook, "webhook limits are missing for " + tier.wireName());
    requireNonNull(storage, "storage limits are missing for " + tier.wireName());
    requireNonNull(queue, "queue limits are missing for " + tier.wireName());
    requireNonNull(stacks, "stacks limits are missing for " + tier.wireName());
    requireNonNull(vault, "vault limits are missing for " + tier.wireName());
    requireNonNull(displayName, "display_name is missing for " + tier.wireName());
    Limit.requireValid(tier.wireName() + ".provisions_per_day", provisionsPerDay);
    Limit.requireValid(tier.wireName() + ".team_members", teamMembers);
    if (dedicated && dedicatedSize == null) {
      throw new IllegalArgumentException(
          tier.wireName() + " is dedicated but has no dedicated_size");
    }
  }

  /** The size of a dedicated server, when this plan has them. */
  public Optional<DedicatedSize> dedicatedServer() {
    return dedicated ? Optional.of(dedicatedSize) : Optional.empty();
  }

  /**
   * @param statementTimeoutSeconds longest a statement may run (role default, watchdog-enforced)
   * @param idleInTransactionTimeoutSeconds longest a transaction may sit idle (likewise)
   * @param tempFileLimitMb temporary file space one session may use (only a superuser can raise)
   * @param workMemMb memory a sort or hash may use before spilling (a default a session can raise)
   */
  public record PostgresLimits(
      long storageMb,
      long connections,
      long statementTimeoutSeconds,
      long idleInTransactionTimeoutSeconds,
      long tempFileLimitMb,
      long workMemMb) {
    public PostgresLimits {
      Limit.requireValid("postgres.storage_mb", storageMb);
      Limit.requireValid("postgres.connections", connections);
      Limit.requireValid("postgres.statement_timeout_seconds", statementTimeoutSeconds);
      Limit.requireValid(
          "postgres.idle_in_transaction_timeout_seconds", idleInTransactionTimeoutSeconds);
      Limit.requireValid("postgres.temp_file_limit_mb", tempFileLimitMb);
      Limit.requireValid("postgres.work_mem_mb", workMemMb);
    }
  }

  /**
   * @param connections connections one tenant may hold open; those over it are closed
   */
  public record RedisLimits(long memoryMb, long connections) {
    public RedisLimits {
      Limit.requireValid("redis.memory_mb", memoryMb);
      Limit.requireValid("redis.connections", connections);
    }
  }

  /**
   * @param requestsStored received requests a receiver keeps; the oldest go as new ones arrive
   * @param bodyKb the largest body one request may carry
   * @param requestsPerMinute requests one receiver accepts a minute
   */
  public record WebhookLimits(long requestsStored, long bodyKb, long requestsPerMinute) {
    public WebhookLimits {
      if (requestsStored < 1 || bodyKb < 1 || requestsPerMinute < 1) {
        throw new IllegalArgumentException("webhook limits must be positive");
      }
    }
  }

  /**
   * @param storageMb what a storage tenant's objects may add up to; a presigned upload that would
   *     pass it is refused
   * @param presignsPerMinute presigned URLs one tenant may ask for a minute
   */
  public record StorageLimits(long storageMb, long presignsPerMinute) {
    public StorageLimits {
      Limit.requireValid("storage.storage_mb", storageMb);
      if (presignsPerMinute < 1) {
        throw new IllegalArgumentException("storage.presigns_per_minute must be positive");
      }
    }
  }

  /**
   * @param queues queues a team may hold at once (an anonymous caller's are bounded by {@code
   *     provisions_per_day}); -1 means unlimited
   */
  public record QueueLimits(long queues) {
    public QueueLimits {
      Limit.requireValid("queue.queues", queues);
    }
  }

  /**
   * @param apps live stacks a team may run ({@code deployments_apps}); -1 means unlimited
   * @param cpuMillis the namespace's CPU quota, in millicores
   * @param memoryMb the namespace's memory quota
   * @param pods the pods the namespace may hold
   * @param containerCpuMillis each container's default CPU limit
   * @param containerMemoryMb each container's default memory limit
   */
  public record StackLimits(
      long apps,
      int cpuMillis,
      int memoryMb,
      int pods,
      int containerCpuMillis,
      int containerMemoryMb) {
    public StackLimits {
      Limit.requireValid("stacks.apps", apps);
      if (cpuMillis < 1
          || memoryMb < 1
          || pods < 1
          || containerCpuMillis < 1
          || containerMemoryMb < 1) {
        throw new IllegalArgumentException("stacks quota figures must be positive");
      }
    }
  }

  /**
   * @param entries secrets a team may keep, across every env; -1 means unlimited
   * @param envs the envs it may keep them in; {@code *} for any
   */
  public record VaultLimits(long entries, List<String> envs) {
    public static final String ANY_ENV = "*";

    public VaultLimits {
      Limit.requireValid("vault.entries", entries);
      envs = List.copyOf(envs);
    }

    public boolean allows(String env) {
      return envs.contains(ANY_ENV) || envs.contains(env);
    }
  }

  /**
   * One dedicated server's size: its CPU and memory limits (requests are a quarter of them, so a
   * quiet server does not hold a node's room) and its volume.
   */
  public record DedicatedSize(int cpuMillis, int memoryMb, int diskGb) {
    public DedicatedSize {
      if (cpuMillis < 4 || memoryMb < 4 || diskGb < 1) {
        throw new IllegalArgumentException("dedicated_size figures must be positive");
      }
    }
  }
}
