package dev.instanode.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.http.Json;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The capabilities array as API.md gives it, every figure taken from plans.yaml. */
class CapabilitiesTest {
  private final Plans plans = Plans.bundled();
  private final JsonNode tiers =
      Json.mapper()
          .valueToTree(Capabilities.of(plans, "https://billing.example.com/up"))
          .get("tiers");

  @Test
  void oneObjectPerTierCheapestFirstWithTheContractsFields() {
    assertThat(tiers.isArray()).isTrue();
    assertThat(tiers)
        .extracting(t -> t.get("tier").asString())
        .containsExactly("anonymous", "free", "hobby", "hobby_plus", "pro", "growth", "team");
    for (JsonNode tier : tiers) {
      assertThat(tier.propertyNames())
          .contains(
              "tier",
              "display_name",
              "price_usd_monthly",
              "paid_from_day_one",
              "storage_limit_mb",
              "connections_limit",
              "deployments_apps",
              "upgrade_url",
              "is_terminal_tier",
              "postgres",
              "redis",
              "webhook",
              "storage",
              "queue",
              "stacks",
              "vault",
              "team_members");
    }
  }

  @Test
  void figuresComeFromPlansYaml() {
    List<Plan> all = plans.all();
    for (int i = 0; i < all.size(); i++) {
      Plan plan = all.get(i);
      JsonNode tier = tiers.get(i);
      assertThat(tier.get("display_name").asString()).isEqualTo(plan.displayName());
      assertThat(tier.get("price_usd_monthly").asDouble())
          .isEqualTo(plan.priceCentsMonthly() / 100.0);
      assertThat(tier.get("paid_from_day_one").asBoolean()).isEqualTo(plan.priceCentsMonthly() > 0);
      assertThat(tier.get("storage_limit_mb").asLong()).isEqualTo(plan.postgres().storageMb());
      assertThat(tier.get("connections_limit").asLong()).isEqualTo(plan.postgres().connections());
      assertThat(tier.get("deployments_apps").asLong()).isEqualTo(plan.stacks().apps());
      assertThat(tier.at("/redis/memory_mb").asLong()).isEqualTo(plan.redis().memoryMb());
      assertThat(tier.at("/vault/entries").asLong()).isEqualTo(plan.vault().entries());
    }
    assertThat(tiers.get(2).get("price_usd_monthly").asDouble()).isEqualTo(9.0);
    assertThat(tiers.get(0).get("paid_from_day_one").asBoolean()).isFalse();
  }

  @Test
  void onlyTheLastTierIsTerminalAndItHasNoUpgrade() {
    for (int i = 0; i < tiers.size(); i++) {
      boolean last = i == tiers.size() - 1;
      assertThat(tiers.get(i).get("is_terminal_tier").asBoolean()).isEqualTo(last);
      assertThat(tiers.get(i).get("upgrade_url").isNull()).isEqualTo(last);
    }
    assertThat(tiers.get(0).get("upgrade_url").asString())
        .isEqualTo("https://billing.example.com/up");
  }
}
