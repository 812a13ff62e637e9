package dev.instanode.api.team;

import dev.instanode.api.http.HtmlPage;

/** The page a mailed invitation opens ({@link HtmlPage}'s rules). */
final class InvitationPages {
  private InvitationPages() {}

  static String confirm(String token) {
    return HtmlPage.of(
        "Join a team on instanode",
        "<p>You were invited to a team on instanode. Joining signs you in; the invitation works"
            + " once.</p><form method=\"post\" action=\"/api/v1/invitations/"
            + HtmlPage.escape(token)
            + "/accept\"><button type=\"submit\">Join the team</button></form>");
  }
}
