package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a resource row may be expired now. The job runs this on the row as read under {@code
 * SELECT … FOR UPDATE}, so a row that stopped qualifying after the candidate query (claimed,
 * upgraded, deleted, extended) is never torn down.
 */
public final class ExpiryDecision {
  private static final Set<ResourceStatus> LIVE =
      EnumSet.of(ResourceStatus.ACTIVE, ResourceStatus.PAUSED, ResourceStatus.SUSPENDED);

  public enum Verdict {
    EXPIRE,
    NOT_LIVE,
    TIER_KEEPS,
    NOT_EXPIRED,
    TEAM_NOT_ACTIVE,
    UNSUPPORTED_TYPE;

    public boolean expire() {
      return this == EXPIRE;
    }
  }

  /**
   * @param teamStatus the owning team's status; empty for an anonymous row
   * @param type empty for a type this build cannot tear down
   */
  public record Facts(
      Optional<TeamId> team,
      Tier tier,
      ResourceStatus status,
      Optional<Instant> expiresAt,
      Optional<String> teamStatus,
      Optional<ResourceType> type) {
    public Facts {
      requireNonNull(team, "team is null");
      requireNonNull(tier, "tier is null");
      requireNonNull(status, "status is null");
      requireNonNull(expiresAt, "expiresAt is null");
      requireNonNull(teamStatus, "teamStatus is null");
      requireNonNull(type, "type is null");
    }
  }

  private ExpiryDecision() {}

  /**
   * @param expiringTiers tiers whose plan says resources expire (anonymous, free)
   */
  public static Verdict classify(Facts row, Set<Tier> expiringTiers, Instant now) {
    if (!LIVE.contains(row.status())) {
      return Verdict.NOT_LIVE;
    }
    // An anonymous-tier row that somehow belongs to a team is the team's business, not the TTL's.
    boolean expiringTier =
        expiringTiers.contains(row.tier())
            && (row.tier() != Tier.ANONYMOUS || row.team().isEmpty());
    if (!expiringTier) {
      return Verdict.TIER_KEEPS;
    }
    if (row.expiresAt().isEmpty() || !row.expiresAt().get().isBefore(now)) {
      return Verdict.NOT_EXPIRED;
    }
    if (row.team().isPresent() && !row.teamStatus().orElse("").equals("active")) {
      return Verdict.TEAM_NOT_ACTIVE;
    }
    if (row.type().isEmpty()) {
      return Verdict.UNSUPPORTED_TYPE;
    }
    return Verdict.EXPIRE;
  }
}
