package dev.instanode.store;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The plan change transaction's statements; the caller owns the transaction. */
public final class TeamPlans {
  private TeamPlans() {}

  /** Locks the team row, so concurrent plan changes serialize; empty when no such team. */
  public static Optional<Tier> lockPlan(Handle h, TeamId team) {
    h.execute("SET LOCAL lock_timeout = '3s'");
    return h.createQuery("SELECT plan_tier FROM teams WHERE id = :id FOR UPDATE")
        .bind("id", team.value())
        .mapTo(String.class)
        .findOne()
        .map(Tier::fromWire);
  }

  public static void setPlan(Handle h, TeamId team, Tier tier) {
    h.createUpdate("UPDATE teams SET plan_tier = :tier, updated_at = now() WHERE id = :id")
        .bind("tier", tier.wireName())
        .bind("id", team.value())
        .execute();
  }

  /** TTL promotion: every live, unexpired resource takes the new tier and stops expiring. */
  public static int elevateResources(Handle h, TeamId team, Tier tier) {
    return h.createUpdate(
            "UPDATE resources SET tier = :tier, expires_at = NULL, updated_at = now()"
                + " WHERE team_id = :team AND status IN ('active','paused')"
                + " AND (expires_at IS NULL OR expires_at > now())")
        .bind("tier", tier.wireName())
        .bind("team", team.value())
        .execute();
  }

  public static void enqueueTierElevation(Handle h, TeamId team, Tier tier) {
    h.createUpdate(
            "INSERT INTO pending_propagations (kind, team_id, target_tier)"
                + " VALUES ('tier_elevation', :team, :tier)")
        .bind("team", team.value())
        .bind("tier", tier.wireName())
        .execute();
  }
}
