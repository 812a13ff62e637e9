package dev.instanode.api.dashboard;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.auth.SessionCookie;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.signin.EmailSignIn;
import dev.instanode.api.stacks.StackService;
import dev.instanode.api.team.InvitationService;
import dev.instanode.api.team.TeamService;
import dev.instanode.api.webhooks.WebhookService;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.api.wire.ClaimPreviewReply;
import dev.instanode.api.wire.ClaimRequest;
import dev.instanode.api.wire.LegacyResource;
import dev.instanode.api.wire.MeReply;
import dev.instanode.api.wire.ResourceItem;
import dev.instanode.api.wire.StackEnvReply;
import dev.instanode.api.wire.StackReply;
import dev.instanode.api.wire.TeamMembersReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamRole;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard at {@code /app}: pages a person uses in a browser, over the same services as the
 * JSON routes (sign-in, resources, provisioning, claim, team, stacks, webhooks). Only IO here: read
 * the form, call the service, render its answer or its refusal. The session is {@link
 * SessionCookie}; every form post has passed {@link #guardForms} (the CSRF check) before it reaches
 * a handler.
 */
public final class DashboardHandler implements ClaimHandler.BrowserPage {
  static final String SIGN_IN = "/app/signin";
  static final String HOME = "/app/resources";

  /** A line of the env editor's "set" box: {@code KEY=value}. */
  private static final Pattern ENV_LINE = Pattern.compile("\\s*([^=\\s]+)\\s*=(.*)");

  /** Fixed sentences a redirect may ask a page to show: a URL cannot put words on the page. */
  private static final Map<String, String> NOTICES =
      Map.of(
          "created", "Created. Reveal its connection URL when you need it.",
          "deleted", "Deleted: the resource and its data are gone.",
          "signed_out", "Signed out.",
          "key_revoked", "The API key is revoked.",
          "invited", "Invitation sent.",
          "invitation_revoked", "The invitation is revoked: its link no longer works.",
          "role_changed", "The member's role is changed.",
          "member_removed", "The member is removed, and their API keys revoked.",
          "redeploying", "Redeploying with the saved env: the services' pods are replaced.");

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

  private final Services s;
  private final String script = asset("dashboard.js");
  private final String styles = asset("dashboard.css");

  public DashboardHandler(Services services) {
    this.s = services;
  }

  // --- the CSRF check, before any dashboard form post --------------------------------------------

  /**
   * Refuses a dashboard form post without the right CSRF token: 403, and nothing it asked for
   * happens. Runs after the role check, before the handler.
   */
  public void guardForms(Context ctx) {
    if (!ctx.method().name().equals("POST") || !SessionCookie.onDashboard(ctx.path())) {
      return;
    }
    if (!s.csrf().accepts(ctx)) {
      message(
          ctx,
          403,
          "Refused",
          "This form was not sent by this browser's own dashboard page (its security token is"
              + " missing or wrong), so nothing was done. Reload the page and try again.");
      ctx.skipRemainingHandlers();
    }
  }

  // --- static files
  // --------------------------------------------------------------------------------

  public void script(Context ctx) {
    Views.headers(ctx);
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType("text/javascript; charset=utf-8").result(script);
  }

  public void styles(Context ctx) {
    Views.headers(ctx);
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType("text/css; charset=utf-8").result(styles);
  }

  // --- sign-in
  // -------------------------------------------------------------------------------------

  public void home(Context ctx) {
    seeOther(ctx, HOME);
  }

  public void signInPage(Context ctx) {
    if (member(ctx).isPresent()) {
      seeOther(ctx, HOME);
      return;
    }
    s.views()
        .send(ctx, 200, "signin.jte", new Model.SignIn(frame(ctx, "Sign in"), Optional.empty()));
  }

  /** Mails a sign-in link that lands on the dashboard; the same answer for any address. */
  public void startEmail(Context ctx) {
    String email = form(ctx, "email");
    try {
      s.signIn().startForDashboard(email, s.addresses().fingerprint(ctx));
    } catch (ApiException e) {
      refuse(ctx, e, "Sign in", f -> new Model.SignIn(f, Optional.empty()), "signin.jte");
      return;
    }
    s.views()
        .send(ctx, 200, "signin.jte", new Model.SignIn(frame(ctx, "Sign in"), Optional.of(email)));
  }

  /** The mailed link's page: nothing is used until its button is pressed. */
  public void linkPage(Context ctx) {
    String token = Optional.ofNullable(ctx.queryParam("token")).orElse("");
    s.views().send(ctx, 200, "signin_link.jte", new Model.SignInLink(frame(ctx, "Sign in"), token));
  }

  /** Uses the link: a session, held in the browser's cookie. */
  public void useLink(Context ctx) {
    try {
      String session = s.signIn().verify(form(ctx, "token"), RequestContext.id(ctx)).sessionToken();
      SessionCookie.set(ctx, session, SessionTokens.LIFETIME, secure(ctx));
    } catch (ApiException e) {
      message(ctx, e.code().httpStatus(), "That did not work", e.getMessage());
      return;
    }
    seeOther(ctx, HOME);
  }

  /** A pasted API key (or session token): kept in the cookie if it authenticates now. */
  public void useKey(Context ctx) {
    String key = form(ctx, "api_key").trim();
    Caller caller;
    try {
      caller =
          s.auth()
              .resolve(
                  Optional.of("Bearer " + key).filter(k -> !key.isEmpty()),
                  s.addresses().fingerprint(ctx),
                  false);
    } catch (ApiException e) {
      caller = new Caller.Anonymous(s.addresses().fingerprint(ctx));
    }
    if (!(caller instanceof Caller.Member)) {
      Model.Frame f =
          frame(ctx, "Sign in").withError("That API key is not valid (or it was revoked).");
      s.views().send(ctx, 401, "signin.jte", new Model.SignIn(f, Optional.empty()));
      return;
    }
    SessionCookie.set(ctx, key, SessionTokens.LIFETIME, secure(ctx));
    seeOther(ctx, HOME);
  }

  /** Ends the session the cookie holds (a key stays valid: it is revoked on the team page). */
  public void logout(Context ctx) {
    SessionCookie.read(ctx)
        .ifPresent(
            credential -> s.signIn().logout(Optional.of(credential), RequestContext.id(ctx)));
    SessionCookie.clear(ctx, secure(ctx));
    seeOther(ctx, SIGN_IN + "?notice=signed_out");
  }

  // --- resources
  // -----------------------------------------------------------------------------------

  public void resourcesPage(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> resources(ctx, m, 200, frame(ctx, m, "Resources"), Optional.empty()));
  }

  /** Provisions for the signed-in team, through the same service as {@code POST /db/new}. */
  public void provision(Context ctx) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    Optional<ResourceType> type =
        ResourceType.parse(form(ctx, "kind")).filter(s.enabled()::contains);
    Map<String, String> body = new LinkedHashMap<>();
    body.put("name", form(ctx, "name"));
    Optional.of(form(ctx, "env")).filter(e -> !e.isBlank()).ifPresent(e -> body.put("env", e));
    try {
      if (type.isEmpty()) {
        throw new ApiException(ErrorCode.BAD_REQUEST, "Choose a kind this instanode offers.");
      }
      s.provisioning()
          .provision(
              new ProvisionService.Request(
                  type.get(),
                  m,
                  s.mapper().writeValueAsBytes(body),
                  "application/json",
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  RequestContext.id(ctx)));
    } catch (ApiException e) {
      resources(
          ctx,
          m,
          e.code().httpStatus(),
          frame(ctx, m, "Resources").withError(e.getMessage()),
          Optional.empty());
      return;
    }
    seeOther(ctx, HOME + "?notice=created");
  }

  /** Reveals a connection URL: the same audited read as {@code GET …/credentials}. */
  public void reveal(Context ctx) {
    resourceAct(
        ctx,
        (m, token) -> {
          var reply = s.resources().credentials(m.teamId(), token, RequestContext.id(ctx));
          return new Model.Revealed(reply.token(), "", reply.connectionUrl(), false);
        });
  }

  public void rotate(Context ctx) {
    resourceAct(
        ctx,
        (m, token) -> {
          var reply = s.resources().rotate(m.teamId(), token, RequestContext.id(ctx));
          return new Model.Revealed(token.toString(), "", reply.connectionUrl(), true);
        });
  }

  /** Deletes after a confirmation step: without {@code confirm=yes}, the page that asks. */
  public void delete(Context ctx) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    try {
      ResourceToken token = token(ctx);
      if (!"yes".equals(ctx.formParam("confirm"))) {
        ResourceItem item = s.resources().get(m.teamId(), token).item();
        s.views()
            .send(
                ctx,
                200,
                "confirm_delete.jte",
                new Model.ConfirmDelete(
                    frame(ctx, m, "Delete " + item.name() + "?"),
                    item.token(),
                    item.name(),
                    item.resourceType()));
        return;
      }
      s.resources().delete(m.teamId(), token, RequestContext.id(ctx));
    } catch (ApiException e) {
      resources(
          ctx,
          m,
          e.code().httpStatus(),
          frame(ctx, m, "Resources").withError(e.getMessage()),
          Optional.empty());
      return;
    }
    seeOther(ctx, HOME + "?notice=deleted");
  }

  private interface ResourceAct {
    Model.Revealed act(Caller.Member member, ResourceToken token);
  }

  private void resourceAct(Context ctx, ResourceAct act) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    try {
      Model.Revealed revealed = act.act(m, token(ctx));
      resources(ctx, m, 200, frame(ctx, m, "Resources"), Optional.of(revealed));
    } catch (ApiException e) {
      resources(
          ctx,
          m,
          e.code().httpStatus(),
          frame(ctx, m, "Resources").withError(e.getMessage()),
          Optional.empty());
    }
  }

  private void resources(
      Context ctx,
      Caller.Member m,
      int status,
      Model.Frame frame,
      Optional<Model.Revealed> revealed) {
    var list =
        s.resources().list(m.teamId(), Optional.empty(), Optional.of("200"), Optional.empty());
    List<Model.Row> rows = list.items().stream().map(this::row).toList();
    // The revealed URL's row names it.
    Optional<Model.Revealed> named =
        revealed.map(r ->
            new Model.Revealed(
                r.token(),
                rows.stream()
                    .filter(row -> row.token().equals(r.token()))
                    .map(Model.Row::name)
                    .findFirst()
                    .orElse(r.token()),
                r.url(),
                r.rotated()));
    List<Model.Kind> kinds =
        s.enabled().stream().sorted().map(t -> new Model.Kind(t.wireName(), label(t))).toList();
    s.views()
        .send(
            ctx,
            status,
            "resources.jte",
            new Model.Resources(frame, rows, list.total(), kinds, builds(m), named));
  }

  private Model.Row row(ResourceItem item) {
    return new Model.Row(
        item.token(),
        item.resourceType(),
        item.name(),
        item.env(),
        item.tier(),
        item.status(),
        item.expiresAt(),
        item.expiresAt().map(this::left).orElse("never"),
        bytes(item.storageBytes()));
  }

  private Model.Row row(LegacyResource item) {
    return new Model.Row(
        item.token(),
        item.resourceType(),
        item.name(),
        "",
        item.tier(),
        item.status(),
        item.expiresAt(),
        item.expiresAt().map(this::left).orElse("never"),
        "");
  }

  // --- claim
  // ---------------------------------------------------------------------------------------

  /**
   * {@code GET /claim/preview} for a browser: what the link would claim, and a form to claim it.
   */
  public void claimPage(Context ctx) {
    String jwt = Optional.ofNullable(ctx.queryParam("t")).orElse("");
    ClaimPreviewReply preview;
    try {
      preview = s.claims().preview(Optional.of(jwt));
    } catch (ApiException e) {
      message(
          ctx,
          e.code().httpStatus(),
          "This claim link does not work",
          e.getMessage() + " Anonymous resources can be claimed for 7 days after they are made.");
      return;
    }
    s.views()
        .send(
            ctx,
            200,
            "claim.jte",
            new Model.Claim(
                frame(ctx, "Keep your resources"),
                jwt,
                preview.items().stream().map(this::row).toList(),
                preview.expiresAt()));
  }

  /**
   * Claims into a new team with the existing claim flow, then mails a sign-in link to the address:
   * the browser is signed in only once the address has proved to be its own.
   */
  public void claim(Context ctx) {
    String email = form(ctx, "email");
    try {
      s.claims()
          .claim(
              new ClaimRequest(
                  Optional.of(form(ctx, "t")),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(email),
                  Optional.of(form(ctx, "team_name"))),
              RequestContext.id(ctx));
    } catch (ApiException e) {
      message(ctx, e.code().httpStatus(), "That did not work", e.getMessage());
      return;
    }
    String next;
    try {
      s.signIn().startForDashboard(email, s.addresses().fingerprint(ctx));
      next =
          "Your resources now belong to your new team (free plan: they keep their expiry). We"
              + " mailed a sign-in link to "
              + email
              + ": open it to see them in your dashboard.";
    } catch (ApiException e) {
      next =
          "Your resources now belong to your new team. We could not mail a sign-in link just now ("
              + e.getMessage()
              + "); ask for one on the sign-in page.";
    }
    message(ctx, 201, "Claimed", next);
  }

  // --- team
  // ----------------------------------------------------------------------------------------

  public void teamPage(Context ctx) {
    signedIn(ctx).ifPresent(m -> team(ctx, m, 200, frame(ctx, m, "Team"), Optional.empty()));
  }

  /** A new API key, shown this once; only a session makes keys (the service's rule). */
  public void createKey(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> {
          try {
            String key =
                s.identity()
                    .createApiKey(
                        m,
                        new ApiKeyRequest(Optional.of(form(ctx, "name")), Optional.empty()),
                        RequestContext.id(ctx))
                    .key();
            team(ctx, m, 201, frame(ctx, m, "Team"), Optional.of(key));
          } catch (ApiException e) {
            team(
                ctx,
                m,
                e.code().httpStatus(),
                frame(ctx, m, "Team").withError(e.getMessage()),
                Optional.empty());
          }
        });
  }

  public void revokeKey(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> {
          try {
            s.identity().revokeApiKey(m, ctx.pathParam("id"), RequestContext.id(ctx));
            seeOther(ctx, "/app/team?notice=key_revoked");
          } catch (ApiException e) {
            team(
                ctx,
                m,
                e.code().httpStatus(),
                frame(ctx, m, "Team").withError(e.getMessage()),
                Optional.empty());
          }
        });
  }

  public void invite(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> {
          try {
            s.invitations()
                .invite(
                    m,
                    m.teamId().toString(),
                    form(ctx, "email"),
                    Optional.of(form(ctx, "role")).filter(r -> !r.isBlank()),
                    RequestContext.id(ctx));
            seeOther(ctx, "/app/team?notice=invited");
          } catch (ApiException e) {
            team(
                ctx,
                m,
                e.code().httpStatus(),
                frame(ctx, m, "Team").withError(e.getMessage()),
                Optional.empty());
          }
        });
  }

  /** Revokes an open invitation, through the same service as the JSON route. */
  public void revokeInvitation(Context ctx) {
    teamAct(
        ctx,
        m ->
            s.invitations()
                .revoke(m, m.teamId().toString(), ctx.pathParam("id"), RequestContext.id(ctx)),
        "invitation_revoked");
  }

  /** Gives a member another role; the service holds admins and owners to its rules. */
  public void changeRole(Context ctx) {
    teamAct(
        ctx,
        m ->
            s.team()
                .changeRole(m, ctx.pathParam("user_id"), form(ctx, "role"), RequestContext.id(ctx)),
        "role_changed");
  }

  /** Removes a member after a confirmation step, as a delete is. */
  public void removeMember(Context ctx) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String user = ctx.pathParam("user_id");
    if (!"yes".equals(ctx.formParam("confirm"))) {
      Optional<String> email =
          s.team().members(m, Optional.empty(), Optional.of("200")).items().stream()
              .filter(member -> member.userId().equals(user))
              .map(TeamMembersReply.Member::email)
              .findFirst();
      if (email.isEmpty()) {
        team(
            ctx,
            m,
            404,
            frame(ctx, m, "Team").withError("No such member in this team."),
            Optional.empty());
        return;
      }
      confirm(
          ctx,
          m,
          "Remove " + email.get() + "?",
          email.get()
              + " leaves the team at once: their sessions end and their API keys are revoked."
              + " Inviting them again is the only way back.",
          "/app/team/members/" + user + "/remove",
          Map.of(),
          "Remove " + email.get(),
          "/app/team");
      return;
    }
    teamAct(ctx, mm -> s.team().remove(mm, user, RequestContext.id(ctx)), "member_removed");
  }

  private interface TeamAct {
    void act(Caller.Member member);
  }

  private void teamAct(Context ctx, TeamAct act, String notice) {
    signedIn(ctx)
        .ifPresent(m -> {
          try {
            act.act(m);
            seeOther(ctx, "/app/team?notice=" + notice);
          } catch (ApiException e) {
            team(
                ctx,
                m,
                e.code().httpStatus(),
                frame(ctx, m, "Team").withError(e.getMessage()),
                Optional.empty());
          }
        });
  }

  private void team(
      Context ctx, Caller.Member m, int status, Model.Frame frame, Optional<String> newKey) {
    var members = s.team().members(m, Optional.empty(), Optional.of("200")).items();
    var invitations =
        s.invitations()
            .list(m, m.teamId().toString(), Optional.empty(), Optional.of("200"))
            .items();
    var keys = s.identity().apiKeys(m, Optional.empty(), Optional.of("200")).items();
    s.views()
        .send(
            ctx,
            status,
            "team.jte",
            new Model.Team(
                frame,
                members,
                invitations,
                keys,
                newKey,
                builds(m),
                m.role().atLeast(TeamRole.ADMIN)));
  }

  // --- stacks
  // --------------------------------------------------------------------------------------

  public void stacksPage(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> {
          Model.Frame f = frame(ctx, m, "Stacks");
          try {
            List<Model.StackRow> rows =
                s.stacks().list(m.teamId(), Optional.of("100"), Optional.empty()).items().stream()
                    .map(i ->
                        new Model.StackRow(
                            i.stackId(), i.name(), i.status(), i.tier(), i.env(), i.createdAt()))
                    .toList();
            s.views().send(ctx, 200, "stacks.jte", new Model.Stacks(f, rows, Optional.empty()));
          } catch (ApiException e) {
            s.views()
                .send(
                    ctx,
                    e.code().httpStatus(),
                    "stacks.jte",
                    new Model.Stacks(f, List.of(), Optional.of(e.getMessage())));
          }
        });
  }

  /** A stack's services as the cluster shows them; {@code ?logs=svc} follows one's log. */
  public void stackPage(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> stack(ctx, m, 200, Optional.empty(), Optional.empty(), Optional.empty()));
  }

  /**
   * Changes the stack's saved env through the same service as {@code PATCH /stacks/{slug}/env}
   * (seed 003: the keys given are set, the keys listed to remove are removed, the rest stay).
   * Removing asks first.
   */
  public void patchEnv(Context ctx) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String slug = ctx.pathParam("slug");
    String set = form(ctx, "set");
    String remove = form(ctx, "remove");
    Map<String, String> patch = new LinkedHashMap<>();
    try {
      for (String line : set.split("\\R")) {
        if (line.isBlank()) {
          continue;
        }
        var kv = ENV_LINE.matcher(line);
        if (!kv.matches() || kv.group(2).isEmpty()) {
          throw new ApiException(
              ErrorCode.INVALID_BODY,
              "Each line to set is KEY=value, with a value; list a key under Remove to remove it.");
        }
        patch.put(kv.group(1), kv.group(2));
      }
      List<String> removed =
          Arrays.stream(remove.split("[\\s,]+")).filter(k -> !k.isEmpty()).toList();
      removed.forEach(k -> patch.put(k, ""));
      if (patch.isEmpty()) {
        throw new ApiException(
            ErrorCode.INVALID_BODY, "Give a KEY=value to set or a key to remove.");
      }
      if (!removed.isEmpty() && !"yes".equals(ctx.formParam("confirm"))) {
        s.stacks().get(m, slug); // a stack this team has, or 404 before asking
        confirm(
            ctx,
            m,
            "Remove " + String.join(", ", removed) + "?",
            "The stack's saved env loses "
                + String.join(", ", removed)
                + " for good (their values cannot be shown or brought back); the services keep"
                + " them until the next redeploy.",
            "/app/stacks/" + slug + "/env",
            Map.of("set", set, "remove", remove),
            "Remove and save",
            "/app/stacks/" + slug);
        return;
      }
      StackEnvReply reply =
          s.stacks().patchEnv(m, slug, patch, Optional.empty(), RequestContext.id(ctx));
      stack(
          ctx,
          m,
          200,
          Optional.of(
              "Env saved: "
                  + reply.keysSet()
                  + " set, "
                  + reply.keysDeleted()
                  + " removed. Redeploy to apply it."),
          Optional.empty(),
          Optional.of(reply.env().keySet().stream().sorted().toList()));
    } catch (ApiException e) {
      stack(ctx, m, e.code().httpStatus(), Optional.empty(), Optional.of(e), Optional.empty());
    }
  }

  /** Applies the stack again with its saved env, after a confirmation step. */
  public void redeploy(Context ctx) {
    Optional<Caller.Member> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String slug = ctx.pathParam("slug");
    if (!"yes".equals(ctx.formParam("confirm"))) {
      StackReply stack;
      try {
        stack = s.stacks().get(m, slug);
      } catch (ApiException e) {
        message(ctx, e.code().httpStatus(), "Stack " + slug, e.getMessage());
        return;
      }
      confirm(
          ctx,
          m,
          "Redeploy " + stack.name() + " (" + stack.stackId() + ")?",
          "Every service of the stack is applied again with the saved env: pods whose env changed"
              + " are replaced, and answer nothing while they restart.",
          "/app/stacks/" + stack.stackId() + "/redeploy",
          Map.of(),
          "Redeploy now",
          "/app/stacks/" + stack.stackId());
      return;
    }
    try {
      s.stacks().redeploy(m, slug, Optional.empty(), RequestContext.id(ctx));
    } catch (ApiException e) {
      stack(ctx, m, e.code().httpStatus(), Optional.empty(), Optional.of(e), Optional.empty());
      return;
    }
    seeOther(ctx, "/app/stacks/" + slug + "?notice=redeploying");
  }

  private void stack(
      Context ctx,
      Caller.Member m,
      int status,
      Optional<String> notice,
      Optional<ApiException> error,
      Optional<List<String>> envKeys) {
    String slug = ctx.pathParam("slug");
    StackReply stack;
    try {
      stack = s.stacks().get(m, slug);
    } catch (ApiException e) {
      message(ctx, e.code().httpStatus(), "Stack " + slug, e.getMessage());
      return;
    }
    Model.Frame f = frame(ctx, m, stack.name() + " (" + stack.stackId() + ")");
    if (notice.isPresent()) {
      f = new Model.Frame(f.title(), f.csrf(), f.who(), notice, f.error());
    }
    if (error.isPresent()) {
      f = f.withError(error.get().getMessage());
    }
    Optional<String> follow =
        Optional.ofNullable(ctx.queryParam("logs"))
            .filter(svc -> stack.services().stream().anyMatch(x -> x.name().equals(svc)));
    s.views().send(ctx, status, "stack.jte", new Model.Stack(f, stack, follow, envKeys, builds(m)));
  }

  // --- webhooks
  // ------------------------------------------------------------------------------------

  /** What a team's webhook receiver stored, newest first; the page follows new ones live. */
  public void webhookPage(Context ctx) {
    signedIn(ctx)
        .ifPresent(m -> {
          String raw = ctx.pathParam("token");
          try {
            ResourceToken token = token(ctx);
            var receiver = s.webhooks().readable(m, raw);
            String name = s.resources().get(m.teamId(), token).item().name();
            var items = s.webhooks().requests(m, raw, Optional.empty(), Optional.of("50")).items();
            s.views()
                .send(
                    ctx,
                    200,
                    "webhook.jte",
                    new Model.Webhook(
                        frame(ctx, m, "Webhook " + name),
                        receiver.token().toString(),
                        name,
                        s.publicBaseUrl() + "/webhook/receive/" + receiver.token(),
                        items));
          } catch (ApiException e) {
            message(ctx, e.code().httpStatus(), "Webhook receiver", e.getMessage());
          }
        });
  }

  private void confirm(
      Context ctx,
      Caller.Member m,
      String title,
      String text,
      String action,
      Map<String, String> fields,
      String button,
      String cancel) {
    s.views()
        .send(
            ctx,
            200,
            "confirm.jte",
            new Model.Confirm(frame(ctx, m, title), text, action, fields, button, cancel));
  }

  // --- shared
  // --------------------------------------------------------------------------------------

  /** The member the request authenticates as, if any. */
  private Optional<Caller.Member> member(Context ctx) {
    return s.auth().optionalStrict(ctx) instanceof Caller.Member m
        ? Optional.of(m)
        : Optional.empty();
  }

  /** The member, or a redirect to sign in (a stale cookie is cleared on the way). */
  private Optional<Caller.Member> signedIn(Context ctx) {
    Optional<Caller.Member> m = member(ctx);
    if (m.isEmpty()) {
      if (SessionCookie.read(ctx).isPresent()) {
        SessionCookie.clear(ctx, secure(ctx));
      }
      seeOther(ctx, SIGN_IN);
    }
    return m;
  }

  private static boolean builds(Caller.Member m) {
    return m.role().atLeast(TeamRole.DEVELOPER) && m.canWrite();
  }

  private Model.Frame frame(Context ctx, String title) {
    return new Model.Frame(
        title, s.csrf().token(ctx, secure(ctx)), Optional.empty(), notice(ctx), Optional.empty());
  }

  private Model.Frame frame(Context ctx, Caller.Member m, String title) {
    MeReply me = s.identity().me(m);
    String who =
        me.email().orElse("API key") + " · " + me.tier() + " plan · " + m.role().wireName();
    return new Model.Frame(
        title, s.csrf().token(ctx, secure(ctx)), Optional.of(who), notice(ctx), Optional.empty());
  }

  private static Optional<String> notice(Context ctx) {
    return Optional.ofNullable(ctx.queryParam("notice")).map(NOTICES::get);
  }

  private interface Page {
    Object of(Model.Frame frame);
  }

  private void refuse(Context ctx, ApiException e, String title, Page page, String template) {
    s.views()
        .send(
            ctx,
            e.code().httpStatus(),
            template,
            page.of(frame(ctx, title).withError(e.getMessage())));
  }

  private void message(Context ctx, int status, String title, String text) {
    Model.Frame f = member(ctx).map(m -> frame(ctx, m, title)).orElseGet(() -> frame(ctx, title));
    s.views().send(ctx, status, "message.jte", new Model.Message(f, text));
  }

  /** 303 to the next page, with no body (Javalin's own redirect writes one). */
  private static void seeOther(Context ctx, String location) {
    ctx.status(HttpStatus.SEE_OTHER).header("Location", location);
  }

  private boolean secure(Context ctx) {
    return s.httpsOnly() || "https".equals(ctx.scheme());
  }

  private static String form(Context ctx, String name) {
    return Optional.ofNullable(ctx.formParam(name)).orElse("");
  }

  private static ResourceToken token(Context ctx) {
    return ResourceToken.parse(ctx.pathParam("token")).orElseThrow(ResourceService::notFound);
  }

  private String left(Instant at) {
    Duration d = Duration.between(s.clock().instant(), at);
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    return h > 0 ? h + "h " + m + "m left" : m + "m " + d.toSecondsPart() + "s left";
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
  }

  private static String label(ResourceType type) {
    return switch (type) {
      case POSTGRES -> "Postgres database";
      case REDIS -> "Redis cache";
      case WEBHOOK -> "Webhook receiver";
      case STORAGE -> "Object storage bucket";
      case QUEUE -> "NATS queue";
    };
  }

  private static String asset(String name) {
    try (InputStream in = DashboardHandler.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing: " + name);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
