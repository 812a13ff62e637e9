package dev.instanode.api.webhooks;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.http.EventStreams;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.store.ResourceRecord;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The webhook routes: any method on a receive URL, and reading what a receiver stored. */
public final class WebhookHandler {
  private static final String PREFIX = "/webhook/receive/";

  private final WebhookService service;
  private final WebhookStreams streams;
  private final Authenticator auth;
  private final ClientAddress addresses;
  private final JsonBodies bodies;

  public WebhookHandler(
      WebhookService service,
      WebhookStreams streams,
      Authenticator auth,
      ClientAddress addresses,
      JsonBodies bodies) {
    this.service = service;
    this.streams = streams;
    this.auth = auth;
    this.addresses = addresses;
    this.bodies = bodies;
  }

  /** {@code ANY /webhook/receive/{token}[/<path>]}: stores the request, answers 200 at once. */
  public void receive(Context ctx) {
    try {
      store(ctx);
    } catch (ApiException e) {
      if (e.code() == ErrorCode.WEBHOOK_BODY_TOO_LARGE) {
        // Read what is left (within a bound) so the 413 is not lost to a reset.
        JsonBodies.drainRefused(ctx);
      }
      throw e;
    }
  }

  private void store(Context ctx) {
    String token = ctx.pathParam("token");
    String rest = ctx.path().substring(Math.min(ctx.path().length(), PREFIX.length()));
    int slash = rest.indexOf('/');
    String suffix = slash < 0 ? "/" : rest.substring(slash);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(ctx.req().getHeaderNames())) {
      headers.put(name, Collections.list(ctx.req().getHeaders(name)));
    }
    long declared = ctx.req().getContentLengthLong();
    ctx.json(
        service.receive(
            new WebhookService.Arrival(
                token,
                ctx.method().name(),
                suffix,
                Optional.ofNullable(ctx.queryString()),
                headers,
                declared,
                limit -> {
                  try {
                    return ctx.req().getInputStream().readNBytes(limit + 1);
                  } catch (IOException e) {
                    // The sender went away, or sent a body shorter than it said.
                    throw new ApiException(ErrorCode.BAD_REQUEST, "The body could not be read.");
                  }
                },
                addresses.address(ctx).getHostAddress())));
  }

  /**
   * {@code GET /api/v1/webhooks/{token}/requests/stream}: server-sent events, one {@code request}
   * per request stored from now on (or after the {@code Last-Event-ID} a client reconnects with).
   * Access is checked before the stream starts, so a refusal is an ordinary JSON error.
   */
  public void stream(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    ResourceRecord receiver = service.readable(caller, ctx.pathParam("token"));
    long after =
        Optional.ofNullable(ctx.header("Last-Event-ID"))
            .flatMap(WebhookHandler::eventId)
            .orElseGet(() -> service.newestId(receiver.token()));
    WebhookStreams.Slot slot = streams.reserve(receiver.token());
    if (!EventStreams.open(ctx)) {
      slot.close();
      return;
    }
    ctx.async(
        config -> config.timeout = 0,
        () ->
            streams.follow(
                new SseClient(ctx),
                slot,
                after,
                () -> service.stillReadableAs(receiver) && auth.stillValid(caller)));
  }

  private static Optional<Long> eventId(String raw) {
    try {
      return Optional.of(Long.parseLong(raw.trim())).filter(id -> id >= 0);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code PATCH /api/v1/webhooks/{token}} {@code {"store_secret_headers": bool, "signing_secret":
   * "text" | ""}}: either or both; {@code ""} stops checking signatures.
   */
  public void settings(Context ctx) {
    JsonNode body = bodies.object(ctx);
    JsonNode store = body.get("store_secret_headers");
    JsonNode secret = body.get("signing_secret");
    if ((store == null && secret == null)
        || (store != null && !store.isBoolean())
        || (secret != null && (!secret.isString() || secret.asString().length() > 256))) {
      throw new ApiException(
          ErrorCode.INVALID_BODY,
          "Send {\"store_secret_headers\": true|false} and/or {\"signing_secret\": \"...\"}"
              + " (at most 256 characters; \"\" stops checking).");
    }
    ctx.json(
        service.settings(
            auth.optionalStrict(ctx),
            ctx.pathParam("token"),
            new WebhookService.SettingsChange(
                Optional.ofNullable(store).map(JsonNode::asBoolean),
                Optional.ofNullable(secret).map(JsonNode::asString)),
            RequestContext.id(ctx)));
  }

  /** {@code GET /api/v1/webhooks/{token}/requests}. */
  public void requests(Context ctx) {
    ctx.json(
        service.requests(
            auth.optionalStrict(ctx),
            ctx.pathParam("token"),
            Optional.ofNullable(ctx.queryParam("cursor")),
            Optional.ofNullable(ctx.queryParam("limit"))));
  }
}
