package dev.instanode.api.plan;

import dev.instanode.api.wire.PlanChangeReply;
import dev.instanode.api.wire.PlanChangeRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.PendingPropagationRepository;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.StackRepository;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A team's plan change. An upgrade gives every live, unexpired resource the new tier and clears its
 * expiry in the same transaction, then queues one tier_elevation for the worker to push the new
 * limits down. A downgrade changes the plan only: existing resources keep what was paid for.
 */
public final class PlanChanges {
  private static final Logger LOG = LoggerFactory.getLogger(PlanChanges.class);

  private final Jdbi jdbi;
  private final Plans plans;
  private final AuditLog audit;

  public PlanChanges(Jdbi jdbi, Plans plans, AuditLog audit) {
    this.jdbi = jdbi;
    this.plans = plans;
    this.audit = audit;
  }

  private record Result(Tier previous, Tier current, int resourcesElevated, int stacksElevated) {}

  /** Moves {@code team} to the tier {@code request} names; any team plan, never anonymous. */
  public PlanChangeReply change(TeamId team, PlanChangeRequest request, RequestId requestId) {
    Tier target =
        request
            .tier()
            .flatMap(Tier::parse)
            .filter(t -> t != Tier.ANONYMOUS)
            .orElseThrow(
                () -> new ApiException(ErrorCode.INVALID_TIER, "\"tier\" must name a team plan."));
    Result result = apply(team, target, requestId);
    return new PlanChangeReply(
        true,
        team.toString(),
        result.previous().wireName(),
        result.current().wireName(),
        result.resourcesElevated());
  }

  private Result apply(TeamId team, Tier target, RequestId request) {
    Result result;
    try {
      result =
          jdbi.inTransaction(h -> {
            Tier current =
                IdentityRepository.lockPlan(h, team)
                    .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No such team."));
            if (current == target) {
              return new Result(current, target, 0, 0);
            }
            IdentityRepository.setPlan(h, team, target);
            boolean upgrade = isUpgrade(current, target);
            int elevated = upgrade ? ResourceRepository.elevateTeamResources(h, team, target) : 0;
            // Stacks likewise: the new tier and no expiry. Their namespaces' quotas follow when the
            // worker's stack_reconciler next applies them.
            int stacks = upgrade ? StackRepository.elevateTeamStacks(h, team, target).size() : 0;
            return new Result(current, target, elevated, stacks);
          });
    } catch (JdbiException e) {
      if (LockTimeouts.isTimeout(e)) {
        throw new ApiException(ErrorCode.RESOURCE_BUSY, "The team is being changed; retry.", e);
      }
      throw e;
    }
    if (result.previous() == result.current()) {
      return result;
    }
    boolean upgrade = isUpgrade(result.previous(), result.current());
    if (upgrade) {
      try {
        jdbi.useHandle(h -> PendingPropagationRepository.enqueueTierElevation(h, team, target));
      } catch (RuntimeException e) {
        // The entitlement reconciler notices the drift within minutes; the upgrade itself stands.
        LOG.error(
            "plan.enqueue_failed team={} tier={} error={}", team, target.wireName(), e.toString());
      }
    }
    audit.record(
        new AuditEvent(
            Optional.of(team),
            AuditEvent.Actor.SYSTEM,
            upgrade ? AuditKind.SUBSCRIPTION_UPGRADED : AuditKind.SUBSCRIPTION_DOWNGRADED,
            Optional.empty(),
            Optional.empty(),
            "Plan " + result.previous().wireName() + " → " + target.wireName(),
            Map.of(
                "from", result.previous().wireName(),
                "to", target.wireName(),
                "resources_elevated", result.resourcesElevated(),
                "stacks_elevated", result.stacksElevated()),
            Optional.of(request.value())));
    return result;
  }

  private boolean isUpgrade(Tier from, Tier to) {
    return plans.of(to).rank() > plans.of(from).rank();
  }
}
