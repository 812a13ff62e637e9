package dev.instanode.api.identity;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /auth/me}, API key creation, and the older {@code GET /api/me/token}; the rules are
 * {@link IdentityService}'s.
 */
public final class IdentityHandler {
  private final Authenticator auth;
  private final IdentityService service;
  private final JsonBodies bodies;

  public IdentityHandler(Authenticator auth, IdentityService service, JsonBodies bodies) {
    this.auth = auth;
    this.service = service;
    this.bodies = bodies;
  }

  public void me(Context ctx) {
    ctx.json(service.me(auth.required(ctx)));
  }

  public void createApiKey(Context ctx) {
    Caller.Member member = auth.required(ctx);
    JsonNode name = bodies.object(ctx).get("name");
    if (name != null && !name.isNull() && !name.isString()) {
      throw new ApiException(ErrorCode.INVALID_NAME, "The \"name\" must be a string.");
    }
    ApiKeyRequest request =
        new ApiKeyRequest(
            name == null || name.isNull() ? Optional.empty() : Optional.of(name.asString()));
    ctx.status(201).json(service.createApiKey(member, request, RequestContext.id(ctx)));
  }

  public void legacyToken(Context ctx) {
    ctx.json(service.legacyToken(auth.required(ctx), RequestContext.id(ctx)));
  }
}
