package dev.instanode.api.webhooks;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.ClientAddress;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The webhook routes: any method on a receive URL, and reading what a receiver stored. */
public final class WebhookHandler {
  private static final String PREFIX = "/webhook/receive/";

  private final WebhookService service;
  private final Authenticator auth;
  private final ClientAddress addresses;

  public WebhookHandler(WebhookService service, Authenticator auth, ClientAddress addresses) {
    this.service = service;
    this.auth = auth;
    this.addresses = addresses;
  }

  /** {@code ANY /webhook/receive/{token}[/<path>]}: stores the request, answers 200 at once. */
  public void receive(Context ctx) {
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
                    throw new UncheckedIOException(e);
                  }
                },
                addresses.address(ctx).getHostAddress())));
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
