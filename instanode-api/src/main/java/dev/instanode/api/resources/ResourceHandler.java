package dev.instanode.api.resources;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceToken;
import dev.instanode.store.ResourceRecord;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/resources/*} and the older {@code /api/me/*} shapes. Required auth. */
public final class ResourceHandler {
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 200;

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
    ResourceService.Page page =
        service.list(
            member.teamId(),
            env(ctx.queryParam("env")),
            limit(ctx.queryParam("limit")),
            Optional.ofNullable(ctx.queryParam("cursor")).filter(c -> !c.isBlank()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("items", page.items().stream().map(ResourceView::item).toList());
    body.put("total", page.total());
    body.put("next_cursor", page.nextCursor().orElse(null));
    ctx.json(body);
  }

  public void get(Context ctx) {
    Caller.Member member = auth.required(ctx);
    Map<String, Object> item = ResourceView.item(service.get(member.teamId(), token(ctx)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("item", item);
    body.put("resource", item);
    ctx.json(body);
  }

  public void credentials(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ResourceToken token = token(ctx);
    String url = service.credentials(member.teamId(), token, RequestContext.id(ctx));
    ResourceRecord r = service.get(member.teamId(), token);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("token", token.toString());
    body.put("resource_type", r.type().wireName());
    body.put("connection_url", url);
    ctx.json(body);
  }

  public void rotate(Context ctx) {
    Caller.Member member = auth.required(ctx);
    String url = service.rotate(member.teamId(), token(ctx), RequestContext.id(ctx));
    ctx.json(Map.of("ok", true, "connection_url", url));
  }

  public void delete(Context ctx) {
    Caller.Member member = auth.required(ctx);
    service.delete(member.teamId(), token(ctx), RequestContext.id(ctx));
    ctx.json(Map.of("ok", true, "message", "Resource deleted"));
  }

  public void legacyList(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(
        service
            .list(member.teamId(), Optional.empty(), MAX_LIMIT, Optional.empty())
            .items()
            .stream()
            .map(ResourceView::brief)
            .toList());
  }

  public void legacyClaim(Context ctx) {
    Caller.Member member = auth.required(ctx);
    JsonNode raw = bodies.object(ctx).get("token");
    ResourceToken token =
        raw != null && raw.isString()
            ? ResourceToken.parse(raw.asString()).orElseThrow(ResourceService::notFound)
            : null;
    if (token == null) {
      throw new ApiException(ErrorCode.INVALID_TOKEN, "A resource \"token\" is required.");
    }
    ResourceRecord r = service.claimOne(member.teamId(), token, RequestContext.id(ctx));
    Map<String, Object> body = new LinkedHashMap<>(ResourceView.brief(r));
    body.put("ok", true);
    ctx.json(body);
  }

  public void legacyDelete(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ResourceToken token = token(ctx);
    service.delete(member.teamId(), token, RequestContext.id(ctx));
    ctx.json(
        Map.of(
            "ok",
            true,
            "token",
            token.toString(),
            "status",
            "deleted",
            "message",
            "Resource deleted"));
  }

  // An unparseable token is simply a resource that does not exist.
  private static ResourceToken token(Context ctx) {
    return ResourceToken.parse(ctx.pathParam("token")).orElseThrow(ResourceService::notFound);
  }

  private static Optional<String> env(String raw) {
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    if (!ResourceNames.isValidEnv(raw)) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
    return Optional.of(raw);
  }

  private static int limit(String raw) {
    if (raw == null || raw.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ApiException(ErrorCode.INVALID_QUERY, "limit must be a number from 1 to 200.");
  }
}
