package dev.instanode.api.dashboard;

import dev.instanode.api.auth.SessionCookie;
import io.javalin.http.Context;

/** The CSRF check, before any dashboard form post. */
public final class FormGuard {
  private final CsrfTokens csrf;
  private final PageSupport pages;

  FormGuard(CsrfTokens csrf, PageSupport pages) {
    this.csrf = csrf;
    this.pages = pages;
  }

  /**
   * Refuses a dashboard form post without the right CSRF token: 403, and nothing it asked for
   * happens. Runs after the role check, before the handler.
   */
  public void guardForms(Context ctx) {
    if (!ctx.method().name().equals("POST") || !SessionCookie.onDashboard(ctx.path())) {
      return;
    }
    if (!csrf.accepts(ctx)) {
      pages.message(
          ctx,
          403,
          "Refused",
          "This form was not sent by this browser's own dashboard page (its security token is"
              + " missing or wrong), so nothing was done. Reload the page and try again.");
      ctx.skipRemainingHandlers();
    }
  }
}
