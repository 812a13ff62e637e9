package dev.instanode.api.provision;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.idempotency.Idempotency;
import dev.instanode.core.ResourceType;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Each kind's {@code POST} route ({@code /db/new}, {@code /cache/new}, ...): authenticate
 * (optional-strict), read the request, hand it to {@link ProvisionService}, write its answer. Only
 * IO here.
 */
public final class ProvisionHandler {
  private final ProvisionService service;
  private final JsonBodies bodies;
  private final Authenticator auth;

  public ProvisionHandler(ProvisionService service, JsonBodies bodies, Authenticator auth) {
    this.service = service;
    this.bodies = bodies;
    this.auth = auth;
  }

  public void provision(Context ctx, ResourceType type) {
    service.requireEnabled(type);
    ProvisionService.Reply reply =
        service.provision(
            new ProvisionService.Request(
                type,
                auth.optionalStrict(ctx),
                bodies.read(ctx),
                ctx.contentType(),
                Optional.ofNullable(ctx.queryString()),
                Optional.ofNullable(ctx.queryParam("env")),
                Optional.ofNullable(ctx.header(Idempotency.HEADER)),
                Optional.ofNullable(ctx.header(ClaimService.UPGRADE_HEADER)),
                Optional.ofNullable(ctx.header("Prefer")),
                RequestContext.id(ctx)));
    if (reply instanceof ProvisionService.Accepted accepted) {
      ctx.header("Location", accepted.body().pollUrl());
      ctx.header("Preference-Applied", "respond-async");
    }
    if (reply instanceof ProvisionService.Replayed) {
      ctx.header("X-Idempotent-Replay", "true");
    }
    ctx.status(reply.status()).contentType("application/json").result(reply.json());
  }
}
