package dev.instanode.api.auth;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.TeamRole;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import java.util.List;
import java.util.Set;

/**
 * Refuses a member whose role is below the route's {@link Access}, before the handler runs: 403
 * {@code forbidden_role}. Anonymous callers pass (each route decides what they may do), and so does
 * a request without credentials; bad credentials are the handler's 401. The dashboard's session
 * cookie counts as credentials, so a browser's member is held to the same table.
 */
public final class RoleGate {
  private final Authenticator auth;

  public RoleGate(Authenticator auth) {
    this.auth = auth;
  }

  /** The access a route was registered with; every route has exactly one. */
  public static Access accessOf(Set<RouteRole> roles) {
    List<Access> access =
        roles.stream().filter(Access.class::isInstance).map(Access.class::cast).toList();
    boolean onlyMarks =
        roles.stream().allMatch(r -> r instanceof Access || r instanceof BindingKeys);
    if (access.size() != 1 || !onlyMarks) {
      throw new IllegalStateException("a route needs exactly one Access, has " + roles);
    }
    return access.getFirst();
  }

  /** Whether the route is one of a resource's data routes that its bindings' keys may call. */
  public static boolean acceptsBindingKeys(Set<RouteRole> roles) {
    return roles.contains(BindingKeys.ACCEPTED);
  }

  public void check(Context ctx) {
    Access access = accessOf(ctx.routeRoles());
    if (access.minimum().isEmpty() || access == Access.READ) {
      return;
    }
    if (!auth.presentsCredentials(ctx)) {
      return;
    }
    if (auth.optionalStrict(ctx) instanceof Caller.Member member && !access.allows(member.role())) {
      TeamRole needed = access.minimum().orElseThrow();
      throw new ApiException(
          ErrorCode.FORBIDDEN_ROLE,
          "Your role in this team is "
              + member.role().wireName()
              + "; this needs "
              + needed.wireName()
              + (needed == TeamRole.OWNER ? "." : " or above."));
    }
  }
}
