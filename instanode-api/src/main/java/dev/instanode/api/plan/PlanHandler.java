package dev.instanode.api.plan;

import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.PlanChangeRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.TeamId;
import dev.instanode.core.auth.HmacJwt;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /internal/teams/{id}/plan}: called by billing, authenticated by an HS256 token signed
 * with the internal secret. With no secret configured every call is refused.
 */
public final class PlanHandler {
  public static final String AUDIENCE = "instanode:internal";

  private final PlanChanges changes;
  private final Optional<HmacJwt> internal;
  private final JsonBodies bodies;

  public PlanHandler(PlanChanges changes, Optional<HmacJwt> internal, JsonBodies bodies) {
    this.changes = changes;
    this.internal = internal;
    this.bodies = bodies;
  }

  public void change(Context ctx) {
    authenticate(ctx);
    TeamId team;
    try {
      team = new TeamId(UUID.fromString(ctx.pathParam("id")));
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such team.");
    }
    PlanChangeRequest request = new PlanChangeRequest(JsonBodies.text(bodies.object(ctx), "tier"));
    ctx.json(changes.change(team, request, RequestContext.id(ctx)));
  }

  private void authenticate(Context ctx) {
    HmacJwt verifier =
        internal.orElseThrow(() ->
            new ApiException(
                ErrorCode.UNAUTHORIZED, "Internal calls are disabled: no internal secret."));
    String header = ctx.header("Authorization");
    String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
    if (verifier.verify(token, Optional.of(AUDIENCE)).isEmpty()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "The internal token is invalid.");
    }
  }
}
