package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlansTest {
  private final Plans plans = Plans.bundled();

  @Test
  void bundledPlansCoverEveryTier() {
    for (Tier tier : Tier.values()) {
      assertThat(plans.of(tier).tier()).isEqualTo(tier);
    }
    assertThat(plans.all())
        .extracting(p -> p.tier().wireName())
        .containsExactly("anonymous", "free", "hobby", "hobby_plus", "pro", "growth", "team");
  }

  @Test
  void anonymousPostgresIsCappedAtTwoConnectionsAndFivePerDay() {
    assertThat(plans.connectionsLimit(Tier.ANONYMOUS, ResourceType.POSTGRES)).isEqualTo(2);
    assertThat(plans.of(Tier.ANONYMOUS).provisionsPerDay()).isEqualTo(5);
    assertThat(plans.of(Tier.ANONYMOUS).expires()).isTrue();
  }

  @Test
  void teamPostgresConnectionsAreUnlimited() {
    long limit = plans.connectionsLimit(Tier.TEAM, ResourceType.POSTGRES);
    assertThat(Limit.isUnlimited(limit)).isTrue();
  }

  @Test
  void everyTierBoundsRunawayWorkUnlessItIsUnlimitedEverywhere() {
    for (Tier tier : Tier.values()) {
      Plan.PostgresLimits pg = plans.of(tier).postgres();
      if (tier == Tier.TEAM) {
        continue;
      }
      assertThat(pg.statementTimeoutSeconds()).as(tier + " statements").isPositive();
      assertThat(pg.idleInTransactionTimeoutSeconds()).as(tier + " idle").isPositive();
      assertThat(pg.tempFileLimitMb()).as(tier + " temp files").isPositive();
      assertThat(plans.of(tier).redis().connections()).as(tier + " redis").isPositive();
    }
    assertThat(plans.connectionsLimit(Tier.ANONYMOUS, ResourceType.REDIS)).isEqualTo(10);
  }

  @Test
  void ranksFollowTierOrder() {
    for (Tier tier : Tier.values()) {
      assertThat(plans.of(tier).rank()).isEqualTo(tier.ordinal());
    }
  }

  @Test
  void paidTiersNeverExpire() {
    assertThat(plans.of(Tier.HOBBY).expires()).isFalse();
    assertThat(plans.of(Tier.PRO).expires()).isFalse();
  }

  @Test
  void rejectsAMissingTier() {
    String yaml =
        """
        tiers:
          anonymous:
            display_name: Test
            rank: 0
            price_cents_monthly: 0
            provisions_per_day: 5
            expires: true
            postgres:
              storage_mb: 10
              connections: 2
              statement_timeout_seconds: 30
              idle_in_transaction_timeout_seconds: 60
              temp_file_limit_mb: 64
              work_mem_mb: 4
            redis: { memory_mb: 5, connections: 10 }
            webhook: { requests_stored: 100, body_kb: 64, requests_per_minute: 60 }
            storage: { storage_mb: 10, presigns_per_minute: 10 }
            queue: { queues: 1 }
            team_members: 1
            vault: { entries: 0, envs: [] }
            audit: false
            stacks: { apps: 0, cpu_millis: 500, memory_mb: 512, pods: 4, container_cpu_millis: 250, container_memory_mb: 256 }
            dedicated: false
            dedicated_size: null
        """;
    assertThatThrownBy(() -> Plans.parse(stream(yaml)))
        .hasMessageContaining("tier free is missing");
  }

  @Test
  void rejectsAnUnknownTierAndALimitBelowMinusOne() {
    assertThatThrownBy(() -> Plans.parse(stream("tiers:\n  platinum: {}\n")))
        .hasMessageContaining("unknown tier platinum");
    String bad =
        """
        tiers:
          anonymous:
            display_name: Test
            rank: 0
            price_cents_monthly: 0
            provisions_per_day: -2
            expires: true
            postgres:
              storage_mb: 10
              connections: 2
              statement_timeout_seconds: 30
              idle_in_transaction_timeout_seconds: 60
              temp_file_limit_mb: 64
              work_mem_mb: 4
            redis: { memory_mb: 5, connections: 10 }
            webhook: { requests_stored: 100, body_kb: 64, requests_per_minute: 60 }
            storage: { storage_mb: 10, presigns_per_minute: 10 }
            queue: { queues: 1 }
            team_members: 1
            vault: { entries: 0, envs: [] }
            audit: false
            stacks: { apps: 0, cpu_millis: 500, memory_mb: 512, pods: 4, container_cpu_millis: 250, container_memory_mb: 256 }
            dedicated: false
            dedicated_size: null
        """;
    assertThatThrownBy(() -> Plans.parse(stream(bad)))
        .hasStackTraceContaining("provisions_per_day");
  }

  @Test
  void proGrowthAndTeamAreDedicatedWithASizeAndNoCheaperPlanIs() {
    Plans plans = Plans.bundled();
    for (Tier tier : Tier.values()) {
      Plan plan = plans.of(tier);
      assertThat(plan.dedicated()).as(tier.wireName()).isEqualTo(plan.rank() >= 4);
      assertThat(plan.dedicatedServer().isPresent()).isEqualTo(plan.dedicated());
    }
    assertThat(plans.of(Tier.PRO).dedicatedServer().orElseThrow().diskGb()).isEqualTo(50);
  }

  @Test
  void aDedicatedPlanWithoutASizeIsRefused() {
    String yaml =
        """
        tiers:
          anonymous:
            display_name: Test
            rank: 0
            price_cents_monthly: 0
            provisions_per_day: 5
            expires: true
            postgres:
              storage_mb: 10
              connections: 2
              statement_timeout_seconds: 30
              idle_in_transaction_timeout_seconds: 60
              temp_file_limit_mb: 64
              work_mem_mb: 4
            redis: { memory_mb: 5, connections: 10 }
            webhook: { requests_stored: 100, body_kb: 64, requests_per_minute: 60 }
            storage: { storage_mb: 10, presigns_per_minute: 10 }
            queue: { queues: 1 }
            team_members: 1
            vault: { entries: 0, envs: [] }
            audit: false
            stacks: { apps: 0, cpu_millis: 500, memory_mb: 512, pods: 4, container_cpu_millis: 250, container_memory_mb: 256 }
            dedicated: true
            dedicated_size: null
        """;
    assertThatThrownBy(() -> Plans.parse(stream(yaml)))
        .hasStackTraceContaining("anonymous is dedicated but has no dedicated_size");
  }

  @Test
  void everyTierBoundsItsStacksAndPaidTiersRunMoreOfThem() {
    Plans plans = Plans.bundled();
    for (Tier tier : Tier.values()) {
      Plan.StackLimits stacks = plans.of(tier).stacks();
      assertThat(stacks.containerMemoryMb()).isLessThanOrEqualTo(stacks.memoryMb());
      assertThat(stacks.containerCpuMillis()).isLessThanOrEqualTo(stacks.cpuMillis());
    }
    assertThat(plans.of(Tier.ANONYMOUS).stacks().apps()).isZero();
    assertThat(plans.of(Tier.HOBBY).stacks().apps()).isEqualTo(1);
    assertThat(plans.of(Tier.PRO).stacks().apps()).isEqualTo(10);
    assertThat(plans.of(Tier.TEAM).stacks().memoryMb())
        .isGreaterThan(plans.of(Tier.HOBBY).stacks().memoryMb());
  }

  @Test
  void seatsPerTierFollowTheReferenceTableAndNoTierHasUnlimitedSeats() {
    assertThat(plans.all())
        .extracting(Plan::teamMembers)
        .containsExactly(1L, 1L, 1L, 1L, 5L, 10L, 25L);
  }

  @Test
  void yearlyVariantsMapToTheirBaseTier() {
    assertThat(Tier.parse("pro_yearly")).contains(Tier.PRO);
    assertThat(Tier.parse("platinum")).isEmpty();
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
