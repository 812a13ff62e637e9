package dev.instanode.api.identity;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
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
    JsonNode body = bodies.object(ctx);
    JsonNode name = body.get("name");
    if (name != null && !name.isNull() && !name.isString()) {
      throw new ApiException(ErrorCode.INVALID_NAME, "The \"name\" must be a string.");
    }
    ApiKeyRequest request =
        new ApiKeyRequest(
            name == null || name.isNull() ? Optional.empty() : Optional.of(name.asString()),
            scopes(body.get("scopes")));
    ctx.status(201).json(service.createApiKey(member, request, RequestContext.id(ctx)));
  }

  private static Optional<List<String>> scopes(JsonNode raw) {
    if (raw == null || raw.isNull()) {
      return Optional.empty();
    }
    List<String> scopes = new ArrayList<>();
    if (raw.isArray() && raw.size() <= 2) {
      for (JsonNode s : raw) {
        if (!s.isString()) {
          scopes = null;
          break;
        }
        scopes.add(s.asString());
      }
      if (scopes != null) {
        return Optional.of(scopes);
      }
    }
    throw new ApiException(
        ErrorCode.INVALID_SCOPES,
        "scopes must be a list such as [\"read\"] or [\"read\", \"write\"].");
  }

  /** {@code GET /api/v1/auth/api-keys}. */
  public void apiKeys(Context ctx) {
    ctx.json(
        service.apiKeys(
            auth.required(ctx),
            Optional.ofNullable(ctx.queryParam("cursor")),
            Optional.ofNullable(ctx.queryParam("limit"))));
  }

  /** {@code DELETE /api/v1/auth/api-keys/{id}}. */
  public void revokeApiKey(Context ctx) {
    ctx.json(service.revokeApiKey(auth.required(ctx), ctx.pathParam("id"), RequestContext.id(ctx)));
  }

  /** {@code GET /api/v1/whoami}. */
  public void whoami(Context ctx) {
    ctx.json(service.whoami(auth.required(ctx)));
  }

  public void legacyToken(Context ctx) {
    ctx.json(service.legacyToken(auth.requiredWriter(ctx), RequestContext.id(ctx)));
  }
}
