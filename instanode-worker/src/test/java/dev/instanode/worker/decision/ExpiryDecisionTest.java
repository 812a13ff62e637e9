package dev.instanode.worker.decision;

import static dev.instanode.worker.decision.ExpiryDecision.Verdict.EXPIRE;
import static dev.instanode.worker.decision.ExpiryDecision.Verdict.NOT_EXPIRED;
import static dev.instanode.worker.decision.ExpiryDecision.Verdict.NOT_LIVE;
import static dev.instanode.worker.decision.ExpiryDecision.Verdict.TEAM_NOT_ACTIVE;
import static dev.instanode.worker.decision.ExpiryDecision.Verdict.TIER_KEEPS;
import static dev.instanode.worker.decision.ExpiryDecision.Verdict.UNSUPPORTED_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Plans;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ExpiryDecisionTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Set<Tier> EXPIRING = expiringTiers();
  private static final Optional<TeamId> TEAM = Optional.of(new TeamId(UUID.randomUUID()));

  private static Set<Tier> expiringTiers() {
    Plans plans = Plans.bundled();
    Set<Tier> tiers = EnumSet.noneOf(Tier.class);
    Arrays.stream(Tier.values()).filter(t -> plans.of(t).expires()).forEach(tiers::add);
    return tiers;
  }

  private static ExpiryDecision.Facts anonymous(ResourceStatus status, Instant expiresAt) {
    return new ExpiryDecision.Facts(
        Optional.empty(),
        Tier.ANONYMOUS,
        status,
        Optional.of(expiresAt),
        Optional.empty(),
        Optional.of(ResourceType.POSTGRES));
  }

  private static ExpiryDecision.Verdict classify(ExpiryDecision.Facts f) {
    return ExpiryDecision.classify(f, EXPIRING, NOW);
  }

  @Test
  void thePlansThatExpireAreAnonymousAndFree() {
    assertThat(EXPIRING).containsExactlyInAnyOrder(Tier.ANONYMOUS, Tier.FREE);
  }

  @Test
  void anExpiredLiveAnonymousRowExpiresWhateverItsLiveStatus() {
    for (ResourceStatus status :
        EnumSet.of(ResourceStatus.ACTIVE, ResourceStatus.PAUSED, ResourceStatus.SUSPENDED)) {
      assertThat(classify(anonymous(status, NOW.minusSeconds(1)))).isEqualTo(EXPIRE);
    }
  }

  @Test
  void rowsThatAreNotLiveAreNeverExpired() {
    for (ResourceStatus status :
        EnumSet.of(
            ResourceStatus.PENDING,
            ResourceStatus.FAILED,
            ResourceStatus.EXPIRED,
            ResourceStatus.DELETED)) {
      assertThat(classify(anonymous(status, NOW.minusSeconds(3600)))).isEqualTo(NOT_LIVE);
    }
  }

  @Test
  void expiresOnlyStrictlyAfterExpiresAt() {
    assertThat(classify(anonymous(ResourceStatus.ACTIVE, NOW))).isEqualTo(NOT_EXPIRED);
    assertThat(classify(anonymous(ResourceStatus.ACTIVE, NOW.plusSeconds(1))))
        .isEqualTo(NOT_EXPIRED);
    var noExpiry =
        new ExpiryDecision.Facts(
            Optional.empty(),
            Tier.ANONYMOUS,
            ResourceStatus.ACTIVE,
            Optional.empty(),
            Optional.empty(),
            Optional.of(ResourceType.POSTGRES));
    assertThat(classify(noExpiry)).isEqualTo(NOT_EXPIRED);
  }

  @Test
  void everyPaidTierKeepsItsResources() {
    for (Tier tier : EnumSet.complementOf(EnumSet.of(Tier.ANONYMOUS, Tier.FREE))) {
      var f =
          new ExpiryDecision.Facts(
              TEAM,
              tier,
              ResourceStatus.ACTIVE,
              Optional.of(NOW.minusSeconds(60)),
              Optional.of("active"),
              Optional.of(ResourceType.POSTGRES));
      assertThat(classify(f)).as(tier.wireName()).isEqualTo(TIER_KEEPS);
    }
  }

  @Test
  void aFreeRowOfAnActiveTeamExpiresButNotOfATeamBeingDeleted() {
    var free =
        new ExpiryDecision.Facts(
            TEAM,
            Tier.FREE,
            ResourceStatus.ACTIVE,
            Optional.of(NOW.minusSeconds(60)),
            Optional.of("active"),
            Optional.of(ResourceType.REDIS));
    assertThat(classify(free)).isEqualTo(EXPIRE);
    for (String status : new String[] {"deletion_requested", "deletion_pending", "tombstoned"}) {
      var f =
          new ExpiryDecision.Facts(
              TEAM,
              Tier.FREE,
              ResourceStatus.ACTIVE,
              free.expiresAt(),
              Optional.of(status),
              free.type());
      assertThat(classify(f)).as(status).isEqualTo(TEAM_NOT_ACTIVE);
    }
  }

  @Test
  void anAnonymousTierRowOwnedByATeamIsNotTheTtlsBusiness() {
    var f =
        new ExpiryDecision.Facts(
            TEAM,
            Tier.ANONYMOUS,
            ResourceStatus.ACTIVE,
            Optional.of(NOW.minusSeconds(60)),
            Optional.of("active"),
            Optional.of(ResourceType.POSTGRES));
    assertThat(classify(f)).isEqualTo(TIER_KEEPS);
  }

  @Test
  void aTypeNoBackendCanTearDownIsNeverExpired() {
    var f =
        new ExpiryDecision.Facts(
            Optional.empty(),
            Tier.ANONYMOUS,
            ResourceStatus.ACTIVE,
            Optional.of(NOW.minusSeconds(60)),
            Optional.empty(),
            Optional.empty());
    assertThat(classify(f)).isEqualTo(UNSUPPORTED_TYPE);
    assertThat(UNSUPPORTED_TYPE.expire()).isFalse();
  }
}
