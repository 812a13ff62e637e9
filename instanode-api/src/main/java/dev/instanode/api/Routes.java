package dev.instanode.api;

import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.identity.IdentityHandler;
import dev.instanode.api.ops.OpsHandler;
import dev.instanode.api.plan.PlanHandler;
import dev.instanode.api.provision.ProvisionHandler;
import dev.instanode.api.resources.ResourceHandler;
import dev.instanode.api.stacks.StackHandler;
import dev.instanode.api.storage.StorageHandler;
import dev.instanode.api.webhooks.WebhookHandler;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * Every route of the HTTP surface, in one place. Handlers only do IO: authenticate, read path,
 * query, headers and body into typed inputs, call a service, and write the {@code
 * dev.instanode.api.wire} record it returns. The rules live in the services.
 */
public final class Routes {
  private Routes() {}

  /** The handlers, built by the composition root, grouped by who calls them. */
  public record Handlers(
      OpsHandler ops,
      ProvisionHandler provision,
      Accounts accounts,
      ResourceHandler resources,
      StackHandler stacks,
      WebhookHandler webhooks,
      StorageHandler storage) {}

  /** A caller's identity and team: claiming into a team, who am I, keys, the team's plan. */
  public record Accounts(ClaimHandler claim, IdentityHandler identity, PlanHandler plan) {}

  public static void register(RoutesConfig routes, Handlers h) {
    routes.get("/livez", h.ops()::livez);
    routes.get("/healthz", h.ops()::healthz);
    routes.get("/readyz", h.ops()::readyz);
    routes.get("/metrics", h.ops()::metrics);
    routes.get("/api/v1/capabilities", h.ops()::capabilities);

    // Provisioning: optional-strict auth, anonymous gate, Idempotency-Key.
    // One route per kind: /db/new, /cache/new, ... (see ResourceKinds).
    for (ResourceKind kind : ResourceKinds.all()) {
      routes.post(kind.route(), ctx -> h.provision().provision(ctx, kind.type()));
    }

    // Claim and identity.
    routes.get("/claim/preview", h.accounts().claim()::preview);
    routes.post("/claim", h.accounts().claim()::claim);
    routes.get("/auth/me", h.accounts().identity()::me);
    routes.post("/api/v1/auth/api-keys", h.accounts().identity()::createApiKey);
    routes.get("/api/v1/auth/api-keys", h.accounts().identity()::apiKeys);
    routes.delete("/api/v1/auth/api-keys/{id}", h.accounts().identity()::revokeApiKey);
    routes.get("/api/v1/whoami", h.accounts().identity()::whoami);

    // A team's resources (required auth; another team's resource is a 404).
    routes.get("/api/v1/resources", h.resources()::list);
    routes.get("/api/v1/resources/{token}", h.resources()::get);
    routes.get("/api/v1/resources/{token}/credentials", h.resources()::credentials);
    routes.post("/api/v1/resources/{token}/rotate-credentials", h.resources()::rotate);
    routes.delete("/api/v1/resources/{token}", h.resources()::delete);

    // Webhook receivers: any method on a receive URL (its token is its address, no auth), and
    // what a receiver stored (a team's with the team's auth; an anonymous one's by its token).
    for (HandlerType method :
        List.of(
            HandlerType.GET,
            HandlerType.POST,
            HandlerType.PUT,
            HandlerType.PATCH,
            HandlerType.DELETE,
            HandlerType.HEAD,
            HandlerType.OPTIONS)) {
      routes.addHttpHandler(method, "/webhook/receive/{token}", h.webhooks()::receive);
      routes.addHttpHandler(method, "/webhook/receive/{token}/<path>", h.webhooks()::receive);
    }
    routes.patch("/api/v1/webhooks/{token}", h.webhooks()::settings);
    routes.get("/api/v1/webhooks/{token}/requests", h.webhooks()::requests);
    routes.get("/api/v1/webhooks/{token}/requests/stream", h.webhooks()::stream);

    // Object storage: presigned requests under the tenant's prefix, and its usage (a team's with
    // the team's auth; an anonymous one's by its token).
    routes.post("/storage/{token}/presign", h.storage()::presign);
    routes.get("/storage/{token}", h.storage()::usage);

    // Stacks: multi-service apps, each in its own namespace (optional-strict auth; an anonymous
    // stack is read by its slug and changed with its upgrade_jwt).
    routes.post("/stacks/new", h.stacks()::create);
    routes.get("/stacks/{slug}", h.stacks()::get);
    routes.delete("/stacks/{slug}", h.stacks()::delete);
    routes.patch("/stacks/{slug}/env", h.stacks()::patchEnv);
    routes.post("/stacks/{slug}/redeploy", h.stacks()::redeploy);
    routes.get("/stacks/{slug}/logs/{svc}", h.stacks()::logs);
    routes.get("/api/v1/stacks", h.stacks()::list);

    // Compatibility routes for older clients.
    routes.get("/api/me/resources", h.resources()::legacyList);
    routes.post("/api/me/claim", h.resources()::legacyClaim);
    routes.delete("/api/me/resources/{token}", h.resources()::legacyDelete);
    routes.get("/api/me/token", h.accounts().identity()::legacyToken);

    // Internal: billing's plan changes (internal HS256 secret, fail-closed).
    routes.post("/internal/teams/{id}/plan", h.accounts().plan()::change);
  }
}
