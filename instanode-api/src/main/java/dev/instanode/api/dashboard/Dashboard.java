package dev.instanode.api.dashboard;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.auth.SessionCookie;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.signin.EmailSignIn;
import dev.instanode.api.stacks.StackService;
import dev.instanode.api.team.InvitationService;
import dev.instanode.api.team.TeamService;
import dev.instanode.api.webhooks.WebhookService;
import dev.instanode.core.ResourceType;
import java.time.Clock;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard at {@code /app}: pages a person uses in a browser, over the same services as the
 * JSON routes, one class per area. Only IO there: read the form, call the service, render its
 * answer or its refusal. The session is {@link SessionCookie}; every form post has passed {@link
 * FormGuard#guardForms} (the CSRF check) before it reaches a page.
 */
public record Dashboard(
    FormGuard guard,
    AssetPages assets,
    SignInPages signIn,
    ResourcePages resources,
    ClaimPages claim,
    TeamPages team,
    StackPages stacks,
    WebhookPages webhooks) {

  /** The collaborators: the services the JSON routes use, and the dashboard's own parts. */
  public record Services(
      Authenticator auth,
      ClientAddress addresses,
      EmailSignIn signIn,
      ResourceService resources,
      ProvisionService provisioning,
      Set<ResourceType> enabled,
      ClaimService claims,
      IdentityService identity,
      TeamService team,
      InvitationService invitations,
      StackService stacks,
      WebhookService webhooks,
      String publicBaseUrl,
      CsrfTokens csrf,
      Views views,
      JsonMapper mapper,
      boolean httpsOnly,
      Clock clock) {}

  /** Builds every page over the services, sharing one {@link PageSupport}. */
  public static Dashboard create(Services s) {
    PageSupport pages = new PageSupport(s.auth(), s.identity(), s.csrf(), s.views(), s.httpsOnly());
    ResourceRows rows = new ResourceRows(s.clock());
    return new Dashboard(
        new FormGuard(s.csrf(), pages),
        new AssetPages(),
        new SignInPages(pages, s.auth(), s.addresses(), s.signIn()),
        new ResourcePages(pages, s.resources(), s.provisioning(), s.enabled(), s.mapper(), rows),
        new ClaimPages(pages, s.claims(), s.signIn(), s.addresses(), rows),
        new TeamPages(pages, s.team(), s.invitations(), s.identity()),
        new StackPages(pages, s.stacks()),
        new WebhookPages(pages, s.webhooks(), s.resources(), s.publicBaseUrl()));
  }
}
