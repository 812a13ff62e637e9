package dev.instanode.api.signin;

import dev.instanode.api.http.HtmlPage;
import java.util.Optional;

/** The pages where a person approves a CLI sign-in ({@link HtmlPage}'s rules). */
final class DevicePages {
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
  static String decide(String expected, String link, Optional<String> deviceName) {
    String hidden =
        "<input type=\"hidden\" name=\"expected\" value=\""
            + escape(expected)
            + "\"><input type=\"hidden\" name=\"link\" value=\""
            + escape(link)
            + "\">";
    return page(
        "Approve the CLI sign-in?",
        "<p>A CLI"
            + deviceName
                .map(n -> " on a device it calls <strong>" + escape(n) + "</strong>")
                .orElse("")
            + " asks to act as you. Type the code your own terminal shows; if you did not start"
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
    return HtmlPage.of(title, body);
  }

  static String escape(String text) {
    return HtmlPage.escape(text);
  }
}
