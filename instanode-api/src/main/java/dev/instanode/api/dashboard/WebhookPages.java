package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.token;

import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.webhooks.WebhookService;
import dev.instanode.core.ApiException;
import dev.instanode.core.ResourceToken;
import io.javalin.http.Context;
import java.util.Optional;

/** A webhook receiver's inspector: the requests it stored, newest first. */
public final class WebhookPages {
  private final PageSupport pages;
  private final WebhookService webhooks;
  private final ResourceService resources;
  private final String publicBaseUrl;

  WebhookPages(
      PageSupport pages, WebhookService webhooks, ResourceService resources, String publicBaseUrl) {
    this.pages = pages;
    this.webhooks = webhooks;
    this.resources = resources;
    this.publicBaseUrl = publicBaseUrl;
  }

  /** What a team's webhook receiver stored, newest first; the page follows new ones live. */
  public void webhookPage(Context ctx) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> {
          String raw = ctx.pathParam("token");
          try {
            ResourceToken token = token(ctx);
            var receiver = webhooks.readable(m, raw);
            String name = resources.get(m.teamId(), token).item().name();
            var items = webhooks.requests(m, raw, Optional.empty(), Optional.of("50")).items();
            pages.send(
                ctx,
                200,
                "webhook.jte",
                new Model.Webhook(
                    pages.frame(ctx, m, "Webhook " + name),
                    receiver.token().toString(),
                    name,
                    publicBaseUrl + "/webhook/receive/" + receiver.token(),
                    items));
          } catch (ApiException e) {
            pages.message(ctx, e.code().httpStatus(), "Webhook receiver", e.getMessage());
          }
        });
  }
}
