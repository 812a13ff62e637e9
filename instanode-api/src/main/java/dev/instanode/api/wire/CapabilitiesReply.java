package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.Plan;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/capabilities}: one object per tier, cheapest first, all of it from plans.yaml.
 * The headline figures are Postgres's ({@code storage_limit_mb}, {@code connections_limit}) and the
 * stacks' ({@code deployments_apps}); the per-kind objects carry the rest. {@code -1} means
 * unlimited. {@code upgrade_url} is absent on the terminal tier (nothing to upgrade to).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CapabilitiesReply(
    @JsonProperty("ok") boolean ok, @JsonProperty("tiers") List<Tier> tiers) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Tier(
      @JsonProperty("tier") String tier,
      @JsonProperty("display_name") String displayName,
      @JsonProperty("price_usd_monthly") double priceUsdMonthly,
      @JsonProperty("paid_from_day_one") boolean paidFromDayOne,
      @JsonProperty("storage_limit_mb") long storageLimitMb,
      @JsonProperty("connections_limit") long connectionsLimit,
      @JsonProperty("deployments_apps") long deploymentsApps,
      @JsonProperty("upgrade_url") Optional<String> upgradeUrl,
      @JsonProperty("is_terminal_tier") boolean isTerminalTier,
      @JsonProperty("provisions_per_day") long provisionsPerDay,
      @JsonProperty("expires") boolean expires,
      @JsonProperty("team_members") long teamMembers,
      @JsonProperty("audit") boolean audit,
      @JsonProperty("dedicated") boolean dedicated,
      @JsonProperty("postgres") Plan.PostgresLimits postgres,
      @JsonProperty("redis") Plan.RedisLimits redis,
      @JsonProperty("webhook") Plan.WebhookLimits webhook,
      @JsonProperty("storage") Plan.StorageLimits storage,
      @JsonProperty("queue") Plan.QueueLimits queue,
      @JsonProperty("stacks") Plan.StackLimits stacks,
      @JsonProperty("vault") Plan.VaultLimits vault,
      @JsonProperty("dedicated_size") Optional<Plan.DedicatedSize> dedicatedSize) {}
}
