package dev.instanode.api;

import dev.instanode.api.audit.AuditHandler;
import dev.instanode.api.auth.Access;
import dev.instanode.api.auth.BindingKeys;
import dev.instanode.api.auth.RoleGate;
import dev.instanode.api.broker.BrokerHandler;
import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.dashboard.Dashboard;
import dev.instanode.api.identity.IdentityHandler;
import dev.instanode.api.ops.OpsHandler;
import dev.instanode.api.plan.PlanHandler;
import dev.instanode.api.provision.ProvisionHandler;
import dev.instanode.api.resources.ResourceHandler;
import dev.instanode.api.signin.DeviceHandler;
import dev.instanode.api.signin.SignInHandler;
import dev.instanode.api.stacks.StackHandler;
import dev.instanode.api.storage.StorageHandler;
import dev.instanode.api.team.TeamHandler;
import dev.instanode.api.vault.VaultHandler;
import dev.instanode.api.webhooks.WebhookHandler;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Optional;

/**
 * Every route of the HTTP surface, in one place. Handlers only do IO: authenticate, read path,
 * query, headers and body into typed inputs, call a service, and write the {@code
 * dev.instanode.api.wire} record it returns. The rules live in the services.
 *
 * <p>Every route names the least team role that may call it ({@link Access}): this file is the
 * authorisation table, checked before any handler runs, and a route registered without one stops
 * the server from starting.
 */
public final class Routes {
  private Routes() {}

  /** The handlers, built by the composition root, grouped by who calls them. */
  public record Handlers(
      RoleGate roles,
      OpsHandler ops,
      ProvisionHandler provision,
      Accounts accounts,
      ResourceHandler resources,
      AuditHandler audit,
      VaultHandler vault,
      StackHandler stacks,
      WebhookHandler webhooks,
      StorageHandler storage,
      Dashboard dashboard,
      Optional<BrokerHandler> broker) {}

  /** A caller's identity and team: claiming into a team, who am I, keys, the team's plan. */
  public record Accounts(
      ClaimHandler claim,
      IdentityHandler identity,
      PlanHandler plan,
      TeamHandler team,
      SignInHandler signIn,
      DeviceHandler device) {}

  public static void register(RoutesConfig routes, Handlers h) {
    routes.beforeMatched(h.roles()::check);
    // After the role check, before any handler: a dashboard form post needs its CSRF token.
    routes.beforeMatched(h.dashboard().guard()::guardForms);

    routes.get("/livez", h.ops()::livez, Access.OPEN);
    routes.get("/healthz", h.ops()::healthz, Access.OPEN);
    routes.get("/readyz", h.ops()::readyz, Access.OPEN);
    routes.get("/metrics", h.ops()::metrics, Access.OPEN);
    routes.get("/api/v1/capabilities", h.ops()::capabilities, Access.OPEN);
    routes.get("/openapi.json", h.ops()::openapi, Access.OPEN);
    routes.get("/llms.txt", h.ops()::llms, Access.OPEN);
    routes.get("/llms-full.txt", h.ops()::llmsFull, Access.OPEN);

    // Provisioning: optional-strict auth, anonymous gate, Idempotency-Key.
    // One route per kind: /db/new, /cache/new, ... (see ResourceKinds).
    for (ResourceKind kind : ResourceKinds.all()) {
      routes.post(kind.route(), ctx -> h.provision().provision(ctx, kind.type()), Access.BUILD);
    }

    // Claim and identity.
    routes.get("/claim/preview", h.accounts().claim()::preview, Access.OPEN);
    routes.post("/claim", h.accounts().claim()::claim, Access.OPEN);
    routes.get("/auth/me", h.accounts().identity()::me, Access.READ);
    routes.post("/auth/email/start", h.accounts().signIn()::start, Access.OPEN);
    routes.get("/auth/email/verify", h.accounts().signIn()::verifyPage, Access.OPEN);
    routes.post("/auth/email/verify", h.accounts().signIn()::verify, Access.OPEN);
    routes.post("/auth/logout", h.accounts().signIn()::logout, Access.OPEN);
    // CLI sign-in (RFC 8628): the CLI polls; its person approves on a small page or with a session.
    routes.post("/auth/cli", h.accounts().device()::start, Access.OPEN);
    routes.post("/auth/cli/token", h.accounts().device()::token, Access.OPEN);
    routes.post("/auth/cli/approve", h.accounts().device()::approve, Access.BUILD);
    routes.get("/auth/cli/verify", h.accounts().device()::page, Access.OPEN);
    routes.post("/auth/cli/verify", h.accounts().device()::submit, Access.OPEN);
    routes.post("/api/v1/auth/api-keys", h.accounts().identity()::createApiKey, Access.BUILD);
    routes.get("/api/v1/auth/api-keys", h.accounts().identity()::apiKeys, Access.READ);
    routes.delete(
        "/api/v1/auth/api-keys/{id}", h.accounts().identity()::revokeApiKey, Access.BUILD);
    routes.get("/api/v1/whoami", h.accounts().identity()::whoami, Access.READ);

    // The team, its members and invitations (an invitation is accepted by its token, mailed to the
    // invited address).
    routes.get("/api/v1/team", h.accounts().team()::team, Access.READ);
    routes.patch("/api/v1/team", h.accounts().team()::updateTeam, Access.MANAGE);
    routes.delete("/api/v1/team", h.accounts().team()::deleteTeam, Access.OWN);
    routes.get("/api/v1/team/members", h.accounts().team()::members, Access.READ);
    routes.patch(
        "/api/v1/team/members/{user_id}", h.accounts().team()::changeMember, Access.MANAGE);
    routes.delete(
        "/api/v1/team/members/{user_id}", h.accounts().team()::removeMember, Access.MANAGE);
    routes.post("/api/v1/teams/{team_id}/invitations", h.accounts().team()::invite, Access.MANAGE);
    routes.get(
        "/api/v1/teams/{team_id}/invitations", h.accounts().team()::invitations, Access.READ);
    routes.delete(
        "/api/v1/teams/{team_id}/invitations/{id}",
        h.accounts().team()::revokeInvitation,
        Access.MANAGE);
    routes.get("/invitations/{token}", h.accounts().team()::invitationPage, Access.OPEN);
    routes.post("/api/v1/invitations/{token}/accept", h.accounts().team()::accept, Access.OPEN);

    // The team's secrets, per env and key, versioned; a value reveals as a credential does.
    routes.get("/api/v1/vault/{env}", h.vault()::list, Access.READ);
    routes.put("/api/v1/vault/{env}/{key}", h.vault()::put, Access.BUILD);
    routes.get("/api/v1/vault/{env}/{key}", h.vault()::get, Access.BUILD);
    routes.delete("/api/v1/vault/{env}/{key}", h.vault()::delete, Access.BUILD);

    // The team's audit trail (plans with audit), as pages of JSON or one streamed CSV.
    routes.get("/api/v1/audit", h.audit()::list, Access.READ);
    routes.get("/api/v1/audit.csv", h.audit()::csv, Access.READ);

    // A team's resources (required auth; another team's resource is a 404).
    routes.get("/api/v1/resources", h.resources()::list, Access.READ);
    routes.get("/api/v1/resources/{token}", h.resources()::get, Access.READ);
    routes.get("/api/v1/resources/{token}/credentials", h.resources()::credentials, Access.BUILD);
    routes.post(
        "/api/v1/resources/{token}/rotate-credentials", h.resources()::rotate, Access.BUILD);
    routes.delete("/api/v1/resources/{token}", h.resources()::delete, Access.BUILD);

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
      routes.addHttpHandler(method, "/webhook/receive/{token}", h.webhooks()::receive, Access.OPEN);
      routes.addHttpHandler(
          method, "/webhook/receive/{token}/<path>", h.webhooks()::receive, Access.OPEN);
    }
    routes.patch("/api/v1/webhooks/{token}", h.webhooks()::settings, Access.BUILD);
    routes.get(
        "/api/v1/webhooks/{token}/requests",
        h.webhooks()::requests,
        Access.READ,
        BindingKeys.ACCEPTED);
    routes.get(
        "/api/v1/webhooks/{token}/requests/stream",
        h.webhooks()::stream,
        Access.READ,
        BindingKeys.ACCEPTED);

    // Object storage: presigned requests under the tenant's prefix, and its usage (a team's with
    // the team's auth; an anonymous one's by its token).
    routes.post(
        "/storage/{token}/presign", h.storage()::presign, Access.BUILD, BindingKeys.ACCEPTED);
    routes.get("/storage/{token}", h.storage()::usage, Access.READ, BindingKeys.ACCEPTED);

    // Stacks: multi-service apps, each in its own namespace (optional-strict auth; an anonymous
    // stack is read by its slug and changed with its upgrade_jwt).
    routes.post("/stacks/new", h.stacks()::create, Access.BUILD);
    routes.get("/stacks/{slug}", h.stacks()::get, Access.READ);
    routes.delete("/stacks/{slug}", h.stacks()::delete, Access.BUILD);
    routes.patch("/stacks/{slug}/env", h.stacks()::patchEnv, Access.BUILD);
    routes.post("/stacks/{slug}/redeploy", h.stacks()::redeploy, Access.BUILD);
    routes.get("/stacks/{slug}/logs/{svc}", h.stacks()::logs, Access.READ);
    routes.get("/api/v1/stacks", h.stacks()::list, Access.READ);

    // Compatibility routes for older clients.
    routes.get("/api/me/resources", h.resources()::legacyList, Access.READ);
    routes.post("/api/me/claim", h.resources()::legacyClaim, Access.BUILD);
    routes.delete("/api/me/resources/{token}", h.resources()::legacyDelete, Access.BUILD);
    routes.get("/api/me/token", h.accounts().identity()::legacyToken, Access.BUILD);

    // The Open Service Broker API for platforms (Cloud Foundry, Kubernetes service catalog): its
    // own basic auth, on only when OSB_USERNAME and OSB_PASSWORD are set.
    h.broker()
        .ifPresent(broker -> {
          routes.get("/v2/catalog", broker::catalog, Access.OPEN);
          routes.put("/v2/service_instances/{instance_id}", broker::provision, Access.OPEN);
          routes.delete("/v2/service_instances/{instance_id}", broker::deprovision, Access.OPEN);
          routes.get("/v2/service_instances/{instance_id}", broker::instance, Access.OPEN);
          routes.get(
              "/v2/service_instances/{instance_id}/last_operation",
              broker::lastOperation,
              Access.OPEN);
          routes.put(
              "/v2/service_instances/{instance_id}/service_bindings/{binding_id}",
              broker::bind,
              Access.OPEN);
          routes.delete(
              "/v2/service_instances/{instance_id}/service_bindings/{binding_id}",
              broker::unbind,
              Access.OPEN);
          routes.get(
              "/v2/service_instances/{instance_id}/service_bindings/{binding_id}",
              broker::binding,
              Access.OPEN);
        });

    // The dashboard: pages for a person in a browser, over the same services (session cookie,
    // CSRF token on every form, a strict CSP; see Dashboard). A stream the pages follow is
    // the JSON API's own handler under /app, where the cookie is sent.
    Dashboard app = h.dashboard();
    routes.get("/app", app.signIn()::home, Access.OPEN);
    routes.get("/app/assets/dashboard.js", app.assets()::script, Access.OPEN);
    routes.get("/app/assets/dashboard.css", app.assets()::styles, Access.OPEN);
    routes.get("/app/signin", app.signIn()::signInPage, Access.OPEN);
    routes.post("/app/signin/email", app.signIn()::startEmail, Access.OPEN);
    routes.get("/app/signin/verify", app.signIn()::linkPage, Access.OPEN);
    routes.post("/app/signin/verify", app.signIn()::useLink, Access.OPEN);
    routes.post("/app/signin/key", app.signIn()::useKey, Access.OPEN);
    routes.post("/app/logout", app.signIn()::logout, Access.OPEN);
    routes.post("/app/claim", app.claim()::claim, Access.OPEN);
    routes.get("/app/resources", app.resources()::resourcesPage, Access.READ);
    routes.post("/app/resources", app.resources()::provision, Access.BUILD);
    routes.post("/app/resources/{token}/reveal", app.resources()::reveal, Access.BUILD);
    routes.post("/app/resources/{token}/rotate", app.resources()::rotate, Access.BUILD);
    routes.post("/app/resources/{token}/delete", app.resources()::delete, Access.BUILD);
    routes.get("/app/team", app.team()::teamPage, Access.READ);
    routes.post("/app/team/keys", app.team()::createKey, Access.BUILD);
    routes.post("/app/team/keys/{id}/revoke", app.team()::revokeKey, Access.BUILD);
    routes.post("/app/team/invitations", app.team()::invite, Access.MANAGE);
    routes.post("/app/team/invitations/{id}/revoke", app.team()::revokeInvitation, Access.MANAGE);
    routes.post("/app/team/members/{user_id}/role", app.team()::changeRole, Access.MANAGE);
    routes.post("/app/team/members/{user_id}/remove", app.team()::removeMember, Access.MANAGE);
    routes.get("/app/stacks", app.stacks()::stacksPage, Access.READ);
    routes.get("/app/stacks/{slug}", app.stacks()::stackPage, Access.READ);
    routes.post("/app/stacks/{slug}/env", app.stacks()::patchEnv, Access.BUILD);
    routes.post("/app/stacks/{slug}/redeploy", app.stacks()::redeploy, Access.BUILD);
    routes.get("/app/stacks/{slug}/logs/{svc}", h.stacks()::logs, Access.READ);
    routes.get("/app/webhooks/{token}", app.webhooks()::webhookPage, Access.READ);
    routes.get("/app/webhooks/{token}/requests/stream", h.webhooks()::stream, Access.READ);

    // Internal: billing's plan changes (internal HS256 secret, fail-closed).
    routes.post("/internal/teams/{id}/plan", h.accounts().plan()::change, Access.OPEN);
  }
}
