package dev.instanode.api.dashboard;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.auth.SessionCookie;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.wire.MeReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamRole;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;

/**
 * What every dashboard page shares: who is signed in, the frame around a page (title, CSRF token,
 * who, notice, error), the message and confirmation pages, redirects and form fields.
 */
final class PageSupport {
  static final String SIGN_IN = "/app/signin";
  static final String HOME = "/app/resources";

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

  /** A page around a frame, for {@link #refuse}. */
  interface Page {
    Object of(Model.Frame frame);
  }

  private final Authenticator auth;
  private final IdentityService identity;
  private final CsrfTokens csrf;
  private final Views views;
  private final boolean httpsOnly;

  PageSupport(
      Authenticator auth,
      IdentityService identity,
      CsrfTokens csrf,
      Views views,
      boolean httpsOnly) {
    this.auth = auth;
    this.identity = identity;
    this.csrf = csrf;
    this.views = views;
    this.httpsOnly = httpsOnly;
  }

  /** Renders a template and sends it with the dashboard's headers. */
  void send(Context ctx, int status, String template, Object model) {
    views.send(ctx, status, template, model);
  }

  /** The member the request authenticates as, if any. */
  Optional<Caller.Member> member(Context ctx) {
    return auth.optionalStrict(ctx) instanceof Caller.Member m ? Optional.of(m) : Optional.empty();
  }

  /** The member, or a redirect to sign in (a stale cookie is cleared on the way). */
  Optional<Caller.Member> signedIn(Context ctx) {
    Optional<Caller.Member> m = member(ctx);
    if (m.isEmpty()) {
      if (SessionCookie.read(ctx).isPresent()) {
        SessionCookie.clear(ctx, secure(ctx));
      }
      seeOther(ctx, SIGN_IN);
    }
    return m;
  }

  /** Whether the member may make and change things (the forms that build are shown). */
  static boolean builds(Caller.Member m) {
    return m.role().atLeast(TeamRole.DEVELOPER) && m.canWrite();
  }

  Model.Frame frame(Context ctx, String title) {
    return new Model.Frame(
        title, csrf.token(ctx, secure(ctx)), Optional.empty(), notice(ctx), Optional.empty());
  }

  Model.Frame frame(Context ctx, Caller.Member m, String title) {
    MeReply me = identity.me(m);
    String who =
        me.email().orElse("API key") + " · " + me.tier() + " plan · " + m.role().wireName();
    return new Model.Frame(
        title, csrf.token(ctx, secure(ctx)), Optional.of(who), notice(ctx), Optional.empty());
  }

  private static Optional<String> notice(Context ctx) {
    return Optional.ofNullable(ctx.queryParam("notice")).map(NOTICES::get);
  }

  /** The page again, framed for no member, with the service's refusal on it. */
  void refuse(Context ctx, ApiException e, String title, Page page, String template) {
    send(
        ctx, e.code().httpStatus(), template, page.of(frame(ctx, title).withError(e.getMessage())));
  }

  void message(Context ctx, int status, String title, String text) {
    Model.Frame f = member(ctx).map(m -> frame(ctx, m, title)).orElseGet(() -> frame(ctx, title));
    send(ctx, status, "message.jte", new Model.Message(f, text));
  }

  /** The page that asks before a step that cannot be undone; its button posts {@code confirm}. */
  void confirm(
      Context ctx,
      Caller.Member m,
      String title,
      String text,
      String action,
      Map<String, String> fields,
      String button,
      String cancel) {
    send(
        ctx,
        200,
        "confirm.jte",
        new Model.Confirm(frame(ctx, m, title), text, action, fields, button, cancel));
  }

  /** 303 to the next page, with no body (Javalin's own redirect writes one). */
  static void seeOther(Context ctx, String location) {
    ctx.status(HttpStatus.SEE_OTHER).header("Location", location);
  }

  boolean secure(Context ctx) {
    return httpsOnly || "https".equals(ctx.scheme());
  }

  static String form(Context ctx, String name) {
    return Optional.ofNullable(ctx.formParam(name)).orElse("");
  }

  /** Whether the form's confirmation step was passed. */
  static boolean confirmed(Context ctx) {
    return "yes".equals(ctx.formParam("confirm"));
  }

  static ResourceToken token(Context ctx) {
    return ResourceToken.parse(ctx.pathParam("token")).orElseThrow(ResourceService::notFound);
  }
}
