package dev.instanode.api.claim;

import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.resources.ResourceView;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    List<Map<String, Object>> items =
        preview.resources().stream().map(ResourceView::brief).toList();
    body.put("items", items);
    body.put("resources", items);
    body.put("expires_at", preview.expiresAt());
    ctx.json(body);
  }

  public void claim(Context ctx) {
    ObjectNode body = bodies.object(ctx);
    ClaimService.Claimed claimed =
        claims.claim(
            claimTokens(body),
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
        "Claimed "
            + claimed.resources()
            + " resource(s). Keep the api_key: it is shown once. Your resources now belong to the"
            + " team.");
    ctx.status(201).json(out);
  }

  /** {@code token} (or the older {@code jwt}) and every entry of {@code tokens}, in that order. */
  private static List<String> claimTokens(ObjectNode body) {
    List<String> tokens = new ArrayList<>();
    text(body.get("token")).or(() -> text(body.get("jwt"))).ifPresent(tokens::add);
    JsonNode many = body.get("tokens");
    if (many != null && !many.isNull()) {
      if (!many.isArray() || many.size() > ClaimService.MAX_CLAIM_TOKENS) {
        throw new ApiException(
            ErrorCode.INVALID_TOKEN,
            "\"tokens\" must be an array of at most "
                + ClaimService.MAX_CLAIM_TOKENS
                + " claim tokens.");
      }
      for (JsonNode t : many) {
        tokens.add(text(t).orElse(""));
      }
    }
    if (tokens.isEmpty() || tokens.stream().anyMatch(String::isBlank)) {
      throw new ApiException(
          ErrorCode.INVALID_TOKEN, "A claim \"token\" (or a \"tokens\" array) is required.");
    }
    return tokens;
  }

  private static Optional<String> text(JsonNode node) {
    return node != null && node.isString() ? Optional.of(node.asString()) : Optional.empty();
  }
}
