package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The limits of one tier, as loaded from plans.yaml. {@code -1} means unlimited. */
public record Plan(
    @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) Tier tier,
    int rank,
    long priceCentsMonthly,
    long provisionsPerDay,
    boolean expires,
    PostgresLimits postgres,
    RedisLimits redis,
    long teamMembers) {

  public Plan {
    requireNonNull(tier, "tier is null");
    requireNonNull(postgres, "postgres limits are missing for " + tier.wireName());
    requireNonNull(redis, "redis limits are missing for " + tier.wireName());
    Limit.requireValid(tier.wireName() + ".provisions_per_day", provisionsPerDay);
    Limit.requireValid(tier.wireName() + ".team_members", teamMembers);
  }

  public record PostgresLimits(long storageMb, long connections) {
    public PostgresLimits {
      Limit.requireValid("postgres.storage_mb", storageMb);
      Limit.requireValid("postgres.connections", connections);
    }
  }

  public record RedisLimits(long memoryMb) {
    public RedisLimits {
      Limit.requireValid("redis.memory_mb", memoryMb);
    }
  }
}
