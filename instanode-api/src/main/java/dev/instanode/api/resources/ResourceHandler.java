package dev.instanode.api.resources;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.LegacyClaimRequest;
import dev.instanode.core.ResourceToken;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * {@code /api/v1/resources/*} and the older {@code /api/me/*} shapes. Required auth; the rules are
 * {@link ResourceService}'s.
 */
public final class ResourceHandler {
  private final ResourceService service;
  private final Authenticator auth;
  private final JsonBodies bodies;

  public ResourceHandler(ResourceService service, Authenticator auth, JsonBodies bodies) {
    this.service = service;
    this.auth = auth;
    this.bodies = bodies;
  }

  public void list(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(
        service.list(
            member.teamId(),
            Optional.ofNullable(ctx.queryParam("env")),
            Optional.ofNullable(ctx.queryParam("limit")),
            Optional.ofNullable(ctx.queryParam("cursor"))));
  }

  public void get(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(service.get(member.teamId(), token(ctx)));
  }

  /** The URL's password writes, so a read-only key cannot have it. */
  public void credentials(Context ctx) {
    Caller.Member member = auth.requiredWriter(ctx);
    ctx.json(service.credentials(member.teamId(), token(ctx), RequestContext.id(ctx)));
  }

  public void rotate(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(service.rotate(member.teamId(), token(ctx), RequestContext.id(ctx)));
  }

  public void delete(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(service.delete(member.teamId(), token(ctx), RequestContext.id(ctx)));
  }

  public void legacyList(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(service.legacyList(member.teamId()));
  }

  public void legacyClaim(Context ctx) {
    Caller.Member member = auth.required(ctx);
    LegacyClaimRequest request =
        new LegacyClaimRequest(JsonBodies.text(bodies.object(ctx), "token"));
    ctx.json(service.claimOne(member.teamId(), request, RequestContext.id(ctx)));
  }

  public void legacyDelete(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(service.legacyDelete(member.teamId(), token(ctx), RequestContext.id(ctx)));
  }

  // An unparseable token is simply a resource that does not exist.
  private static ResourceToken token(Context ctx) {
    return ResourceToken.parse(ctx.pathParam("token")).orElseThrow(ResourceService::notFound);
  }
}
