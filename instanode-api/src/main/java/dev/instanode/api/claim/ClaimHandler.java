package dev.instanode.api.claim;

import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.resources.ResourceView;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /claim/preview} and {@code POST /claim}. */
public final class ClaimHandler {
  private final ClaimService claims;
  private final JsonBodies bodies;

  public ClaimHandler(ClaimService claims, JsonBodies bodies) {
    this.claims = claims;
    this.bodies = bodies;
  }

  public void preview(Context ctx) {
    String token = ctx.queryParam("t");
    if (token == null || token.isBlank()) {
      throw new ApiException(ErrorCode.INVALID_TOKEN, "Pass the claim token as ?t=<token>.");
    }
    ClaimService.Preview preview = claims.preview(token);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("token_valid", true);
    body.put("resources", preview.resources().stream().map(ResourceView::brief).toList());
    body.put("expires_at", preview.expiresAt());
    ctx.json(body);
  }

  public void claim(Context ctx) {
    ObjectNode body = bodies.object(ctx);
    String token = text(body.get("token")).or(() -> text(body.get("jwt"))).orElse("");
    if (token.isBlank()) {
      throw new ApiException(ErrorCode.INVALID_TOKEN, "A claim \"token\" is required.");
    }
    ClaimService.Claimed claimed =
        claims.claim(
            token,
            text(body.get("email")).orElse(""),
            text(body.get("team_name")),
            RequestContext.id(ctx));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ok", true);
    out.put("team_id", claimed.team().id().toString());
    out.put("user_id", claimed.user().id().toString());
    out.put("session_token", claimed.sessionToken());
    out.put("api_key", claimed.apiKey());
    out.put(
        "message",
        "Claimed. Keep the api_key: it is shown once. Your resources now belong to the team.");
    ctx.status(201).json(out);
  }

  private static Optional<String> text(JsonNode node) {
    return node != null && node.isString() ? Optional.of(node.asString()) : Optional.empty();
  }
}
