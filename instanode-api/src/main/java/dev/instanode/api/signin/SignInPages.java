package dev.instanode.api.signin;

import dev.instanode.api.http.HtmlPage;
import dev.instanode.api.wire.SessionReply;

/** The page a mailed sign-in link opens, and what its form post answers ({@link HtmlPage}). */
public final class SignInPages {
  private SignInPages() {}

  static String confirm(String token) {
    return HtmlPage.of(
        "Sign in to instanode",
        "<p>This link signs you in once. Continue?</p>"
            + "<form method=\"post\" action=\"/auth/email/verify\">"
            + "<input type=\"hidden\" name=\"token\" value=\""
            + HtmlPage.escape(token)
            + "\"><button type=\"submit\">Sign in</button></form>");
  }

  /** A new session, to copy into a tool; it is a credential, so the page is never cached. */
  public static String signedIn(String title, SessionReply session) {
    return HtmlPage.of(
        title,
        "<p>Signed in as "
            + HtmlPage.escape(session.email())
            + " ("
            + HtmlPage.escape(session.role())
            + "). Your session token lasts until "
            + HtmlPage.escape(session.expiresAt().toString())
            + "; use it as <code>Authorization: Bearer</code>, and keep it secret.</p>"
            + "<label for=\"session\">Session token</label>"
            + "<input id=\"session\" readonly value=\""
            + HtmlPage.escape(session.sessionToken())
            + "\">");
  }

  public static String failed(String message) {
    return HtmlPage.of("That did not work", "<p>" + HtmlPage.escape(message) + "</p>");
  }
}
