package dev.instanode.api.signin;

/**
 * The small server-rendered pages where a person approves a CLI sign-in: no script, no third-party
 * resource, labelled fields, a form post for every act (a link a mail scanner fetches changes
 * nothing). What they interpolate is escaped.
 */
final class DevicePages {
  /** Sent with every page: nothing else may load, frame it, or learn its URL's link token. */
  static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none';"
          + " base-uri 'none'";

  private DevicePages() {}

  /** Asks for the code (when not given) and the address to send a sign-in link to. */
  static String askEmail(String code) {
    return page(
        "Sign in the instanode CLI",
        "<p>Check that your terminal shows this code, then enter your email: we send you a link"
            + " that finishes signing in.</p>"
            + "<form method=\"post\" action=\"/auth/cli/verify\">"
            + "<label for=\"code\">Code</label>"
            + "<input id=\"code\" name=\"code\" required autocomplete=\"off\" value=\""
            + escape(code)
            + "\">"
            + "<label for=\"email\">Email</label>"
            + "<input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\">"
            + "<button type=\"submit\">Email me a sign-in link</button></form>");
  }

  static String checkInbox() {
    return page(
        "Check your email",
        "<p>If the address has an instanode account, a link is on its way. It works once, for 15"
            + " minutes; open it on this computer.</p>");
  }

  /**
   * The link arrived: the person types the code their terminal shows (it is not shown here, so a
   * sign-in someone else started cannot be approved by reading it off the page), then approves or
   * denies, by a form post.
   */
  static String decide(String expected, String link) {
    String hidden =
        "<input type=\"hidden\" name=\"expected\" value=\""
            + escape(expected)
            + "\"><input type=\"hidden\" name=\"link\" value=\""
            + escape(link)
            + "\">";
    return page(
        "Approve the CLI sign-in?",
        "<p>A CLI asks to act as you. Type the code your own terminal shows; if you did not start"
            + " a sign-in, deny.</p>"
            + "<form method=\"post\" action=\"/auth/cli/verify\">"
            + hidden
            + "<label for=\"code\">Code shown in your terminal</label>"
            + "<input id=\"code\" name=\"code\" autocomplete=\"off\">"
            + "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
            + "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>");
  }

  static String done(boolean approved) {
    return approved
        ? page(
            "CLI signed in", "<p>Approved. Return to your terminal; you can close this page.</p>")
        : page("CLI sign-in denied", "<p>Denied. The CLI was not signed in.</p>");
  }

  static String failed(String message) {
    return page("That did not work", "<p>" + escape(message) + "</p>");
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + escape(title)
        + " · instanode</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;"
        + "margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.5rem 0}"
        + "input{width:100%;padding:.5rem}button{padding:.5rem 1rem}</style></head><body><main>"
        + "<h1>"
        + escape(title)
        + "</h1>"
        + body
        + "</main></body></html>";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
