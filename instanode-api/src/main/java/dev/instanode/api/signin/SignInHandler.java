package dev.instanode.api.signin;

import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.http.HtmlPage;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.LogoutReply;
import dev.instanode.core.ApiException;
import io.javalin.http.Context;
import java.util.Optional;

/** {@code POST /auth/email/start}, {@code GET|POST /auth/email/verify} and {@code /auth/logout}. */
public final class SignInHandler {
  private final EmailSignIn signIn;
  private final ClientAddress addresses;
  private final JsonBodies bodies;

  public SignInHandler(EmailSignIn signIn, ClientAddress addresses, JsonBodies bodies) {
    this.signIn = signIn;
    this.addresses = addresses;
    this.bodies = bodies;
  }

  public void start(Context ctx) {
    String email = JsonBodies.text(bodies.object(ctx), "email").orElse("");
    ctx.status(202).json(signIn.start(email, addresses.fingerprint(ctx), Optional.empty()));
  }

  /** {@code GET /auth/email/verify?token=}: the mailed link's page; its button posts the form. */
  public void verifyPage(Context ctx) {
    HtmlPage.send(
        ctx, 200, SignInPages.confirm(Optional.ofNullable(ctx.queryParam("token")).orElse("")));
  }

  /** JSON {@code {"token"}}, or the page's urlencoded form (answered with a page). */
  public void verify(Context ctx) {
    if (!HtmlPage.isForm(ctx)) {
      String token = JsonBodies.text(bodies.object(ctx), "token").orElse("");
      ctx.json(signIn.verify(token, RequestContext.id(ctx)));
      return;
    }
    String token = Optional.ofNullable(ctx.formParam("token")).orElse("");
    try {
      HtmlPage.send(
          ctx,
          200,
          SignInPages.signedIn("Signed in", signIn.verify(token, RequestContext.id(ctx))));
    } catch (ApiException e) {
      if (!HtmlPage.wanted(ctx)) {
        throw e;
      }
      HtmlPage.send(ctx, e.code().httpStatus(), SignInPages.failed(e.getMessage()));
    }
  }

  /** Ends the session presented; always 200, a session or not (an API key is not ended here). */
  public void logout(Context ctx) {
    String header = ctx.header("Authorization");
    Optional<String> bearer =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? Optional.of(header.substring(7).trim())
            : Optional.empty();
    boolean revoked = signIn.logout(bearer, RequestContext.id(ctx));
    ctx.json(
        new LogoutReply(
            true,
            revoked,
            revoked
                ? "Signed out: this session no longer works."
                : "No session to end (an API key is revoked with DELETE"
                    + " /api/v1/auth/api-keys/{id})."));
  }
}
