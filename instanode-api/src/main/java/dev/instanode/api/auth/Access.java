package dev.instanode.api.auth;

import dev.instanode.core.TeamRole;
import io.javalin.security.RouteRole;
import java.util.Optional;

/**
 * What a member's role must be to call a route, given to every route in {@code Routes}: the one
 * authorisation table. Checked before the handler runs ({@link RoleGate}); a route's handler may
 * refine it for one target (a developer revokes only their own keys), never loosen it.
 */
public enum Access implements RouteRole {
  /** No member role applies: health, metrics, receive URLs, sign-in, internal calls. */
  OPEN(Optional.empty()),
  /** Any member, a viewer included: reads. */
  READ(Optional.of(TeamRole.VIEWER)),
  /** A developer or above: resources, stacks, one's own keys. */
  BUILD(Optional.of(TeamRole.DEVELOPER)),
  /** An admin or above: the team's settings, members, invitations, other people's keys. */
  MANAGE(Optional.of(TeamRole.ADMIN)),
  /** The owner only: deleting or handing over the team. */
  OWN(Optional.of(TeamRole.OWNER));

  private final Optional<TeamRole> minimum;

  Access(Optional<TeamRole> minimum) {
    this.minimum = minimum;
  }

  /** The least role that may call; empty when any caller may. */
  public Optional<TeamRole> minimum() {
    return minimum;
  }

  public boolean allows(TeamRole role) {
    return minimum.map(role::atLeast).orElse(true);
  }
}
