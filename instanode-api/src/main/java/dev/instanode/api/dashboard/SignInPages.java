package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.HOME;
import static dev.instanode.api.dashboard.PageSupport.SIGN_IN;
import static dev.instanode.api.dashboard.PageSupport.form;
import static dev.instanode.api.dashboard.PageSupport.seeOther;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.auth.SessionCookie;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.signin.EmailSignIn;
import dev.instanode.core.ApiException;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Signing in to the dashboard and out: a mailed link or a pasted API key becomes the session the
 * browser's cookie holds ({@link SessionCookie}).
 */
public final class SignInPages {
  private final PageSupport pages;
  private final Authenticator auth;
  private final ClientAddress addresses;
  private final EmailSignIn signIn;

  SignInPages(PageSupport pages, Authenticator auth, ClientAddress addresses, EmailSignIn signIn) {
    this.pages = pages;
    this.auth = auth;
    this.addresses = addresses;
    this.signIn = signIn;
  }

  public void home(Context ctx) {
    seeOther(ctx, HOME);
  }

  public void signInPage(Context ctx) {
    if (pages.member(ctx).isPresent()) {
      seeOther(ctx, HOME);
      return;
    }
    pages.send(
        ctx, 200, "signin.jte", new Model.SignIn(pages.frame(ctx, "Sign in"), Optional.empty()));
  }

  /** Mails a sign-in link that lands on the dashboard; the same answer for any address. */
  public void startEmail(Context ctx) {
    String email = form(ctx, "email");
    try {
      signIn.startForDashboard(email, addresses.fingerprint(ctx));
    } catch (ApiException e) {
      pages.refuse(ctx, e, "Sign in", f -> new Model.SignIn(f, Optional.empty()), "signin.jte");
      return;
    }
    pages.send(
        ctx, 200, "signin.jte", new Model.SignIn(pages.frame(ctx, "Sign in"), Optional.of(email)));
  }

  /** The mailed link's page: nothing is used until its button is pressed. */
  public void linkPage(Context ctx) {
    String token = Optional.ofNullable(ctx.queryParam("token")).orElse("");
    pages.send(
        ctx, 200, "signin_link.jte", new Model.SignInLink(pages.frame(ctx, "Sign in"), token));
  }

  /** Uses the link: a session, held in the browser's cookie. */
  public void useLink(Context ctx) {
    try {
      String session = signIn.verify(form(ctx, "token"), RequestContext.id(ctx)).sessionToken();
      SessionCookie.set(ctx, session, SessionTokens.LIFETIME, pages.secure(ctx));
    } catch (ApiException e) {
      pages.message(ctx, e.code().httpStatus(), "That did not work", e.getMessage());
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
          auth.resolve(
              Optional.of("Bearer " + key).filter(k -> !key.isEmpty()),
              addresses.fingerprint(ctx),
              false);
    } catch (ApiException e) {
      caller = new Caller.Anonymous(addresses.fingerprint(ctx));
    }
    if (!(caller instanceof Caller.Member)) {
      Model.Frame f =
          pages.frame(ctx, "Sign in").withError("That API key is not valid (or it was revoked).");
      pages.send(ctx, 401, "signin.jte", new Model.SignIn(f, Optional.empty()));
      return;
    }
    SessionCookie.set(ctx, key, SessionTokens.LIFETIME, pages.secure(ctx));
    seeOther(ctx, HOME);
  }

  /** Ends the session the cookie holds (a key stays valid: it is revoked on the team page). */
  public void logout(Context ctx) {
    SessionCookie.read(ctx)
        .ifPresent(credential -> signIn.logout(Optional.of(credential), RequestContext.id(ctx)));
    SessionCookie.clear(ctx, pages.secure(ctx));
    seeOther(ctx, SIGN_IN + "?notice=signed_out");
  }
}
