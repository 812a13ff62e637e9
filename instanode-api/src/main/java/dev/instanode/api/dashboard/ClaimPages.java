package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.form;

import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.signin.EmailSignIn;
import dev.instanode.api.wire.ClaimPreviewReply;
import dev.instanode.api.wire.ClaimRequest;
import dev.instanode.core.ApiException;
import io.javalin.http.Context;
import java.util.Optional;

/** Claiming anonymous resources from a browser: the claim link's page and its form. */
public final class ClaimPages implements ClaimHandler.BrowserPage {
  private final PageSupport pages;
  private final ClaimService claims;
  private final EmailSignIn signIn;
  private final ClientAddress addresses;
  private final ResourceRows rows;

  ClaimPages(
      PageSupport pages,
      ClaimService claims,
      EmailSignIn signIn,
      ClientAddress addresses,
      ResourceRows rows) {
    this.pages = pages;
    this.claims = claims;
    this.signIn = signIn;
    this.addresses = addresses;
    this.rows = rows;
  }

  /**
   * {@code GET /claim/preview} for a browser: what the link would claim, and a form to claim it.
   */
  @Override
  public void claimPage(Context ctx) {
    String jwt = Optional.ofNullable(ctx.queryParam("t")).orElse("");
    ClaimPreviewReply preview;
    try {
      preview = claims.preview(Optional.of(jwt));
    } catch (ApiException e) {
      pages.message(
          ctx,
          e.code().httpStatus(),
          "This claim link does not work",
          e.getMessage() + " Anonymous resources can be claimed for 7 days after they are made.");
      return;
    }
    pages.send(
        ctx,
        200,
        "claim.jte",
        new Model.Claim(
            pages.frame(ctx, "Keep your resources"),
            jwt,
            preview.items().stream().map(rows::row).toList(),
            preview.expiresAt()));
  }

  /**
   * Claims into a new team with the existing claim flow, then mails a sign-in link to the address:
   * the browser is signed in only once the address has proved to be its own.
   */
  public void claim(Context ctx) {
    String email = form(ctx, "email");
    try {
      claims.claim(
          new ClaimRequest(
              Optional.of(form(ctx, "t")),
              Optional.empty(),
              Optional.empty(),
              Optional.of(email),
              Optional.of(form(ctx, "team_name"))),
          RequestContext.id(ctx));
    } catch (ApiException e) {
      pages.message(ctx, e.code().httpStatus(), "That did not work", e.getMessage());
      return;
    }
    String next;
    try {
      signIn.startForDashboard(email, addresses.fingerprint(ctx));
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
    pages.message(ctx, 201, "Claimed", next);
  }
}
