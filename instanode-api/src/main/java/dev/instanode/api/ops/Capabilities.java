package dev.instanode.api.ops;

import dev.instanode.api.wire.CapabilitiesReply;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/v1/capabilities}, derived once from plans.yaml: it cannot change at run time. */
public final class Capabilities {
  private Capabilities() {}

  public static CapabilitiesReply of(Plans plans, String upgradeUrl) {
    List<Plan> tiers = plans.all();
    int top = tiers.getLast().rank();
    return new CapabilitiesReply(
        true,
        tiers.stream()
            .map(plan -> {
              boolean terminal = plan.rank() == top;
              return new CapabilitiesReply.Tier(
                  plan.tier().wireName(),
                  plan.displayName(),
                  plan.priceCentsMonthly() / 100.0,
                  plan.priceCentsMonthly() > 0,
                  plan.postgres().storageMb(),
                  plan.postgres().connections(),
                  plan.stacks().apps(),
                  terminal ? Optional.empty() : Optional.of(upgradeUrl),
                  terminal,
                  plan.provisionsPerDay(),
                  plan.expires(),
                  plan.teamMembers(),
                  plan.audit(),
                  plan.dedicated(),
                  plan.postgres(),
                  plan.redis(),
                  plan.webhook(),
                  plan.storage(),
                  plan.queue(),
                  plan.stacks(),
                  plan.vault(),
                  plan.dedicatedServer());
            })
            .toList());
  }
}
