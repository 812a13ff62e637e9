package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard over plain HTTP (no browser): pages need a session and send a browser to sign in
 * without one, every page carries a strict Content-Security-Policy, and a form post without its
 * CSRF token (or with another browser's) is refused with 403 and changes nothing.
 */
class DashboardHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  // Invitations are mailed: a mailbox, so the team page's invitation forms have one to revoke.
  static final Mailbox mail = Mailbox.start();

  @RegisterExtension static final RunningApi api = RunningApi.with("SMTP_URL", mail.smtpUrl());

  @AfterAll
  static void closeMailbox() {
    mail.close();
  }

  @Test
  void aPageWithoutASessionSendsTheBrowserToSignIn() {
    for (String page :
        List.of(
            "/app/resources",
            "/app/team",
            "/app/stacks",
            "/app/stacks/stk-0000ffff",
            "/app/webhooks/x")) {
      HttpResponse<String> res = api.http().get(page);
      assertThat(res.statusCode()).as(page).isEqualTo(303);
      assertThat(res.headers().firstValue("Location")).hasValue("/app/signin");
    }
    // A cookie that no longer signs in is a signed-out browser: cleared, and off to sign in.
    HttpResponse<String> stale =
        api.http().get("/app/resources", Map.of("Cookie", "instanode_session=ink_revoked"));
    assertThat(stale.statusCode()).isEqualTo(303);
    assertThat(stale.headers().allValues("Set-Cookie"))
        .anyMatch(c -> c.startsWith("instanode_session=;") && c.contains("Max-Age=0"));
    assertThat(api.http().get("/app/signin").statusCode()).isEqualTo(200);
  }

  @Test
  void everyDashboardPageCarriesAStrictContentSecurityPolicy() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Map<String, String> cookie = Map.of("Cookie", "instanode_session=" + team.apiKey());
    for (HttpResponse<String> page :
        List.of(
            api.http().get("/app/signin"),
            api.http().get("/app/signin/verify?token=x"),
            api.http().get("/app/resources", cookie),
            api.http().get("/app/team", cookie),
            api.http().get("/app/stacks", cookie),
            api.http().get("/claim/preview?t=not-a-token", Map.of("Accept", "text/html")))) {
      String where = page.uri().toString();
      assertThat(page.headers().firstValue("Content-Type"))
          .as(where)
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp)
          .as(where)
          .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
          .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
      assertThat(page.body()).as(where).doesNotContain("<script>").doesNotContain(" style=\"");
      assertThat(page.body()).contains("<script src=\"/app/assets/dashboard.js\" defer></script>");
    }
    HttpResponse<String> script = api.http().get("/app/assets/dashboard.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
  }

  @Test
  void aFormPostWithoutItsCsrfTokenIsRefusedAndDoesNothing() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Browser browser = new Browser("instanode_session=" + team.apiKey());
    String token = browser.csrfFrom(browser.get("/app/resources"));
    String form = "kind=postgres&name=csrf-probe";

    HttpResponse<String> none = browser.post("/app/resources", form);
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("nothing was done");
    HttpResponse<String> wrong = browser.post("/app/resources", form + "&csrf=" + "A".repeat(43));
    assertThat(wrong.statusCode()).isEqualTo(403);
    // Another browser's token, for the same team, is wrong here too.
    Browser other = new Browser("instanode_session=" + team.apiKey());
    String theirs = other.csrfFrom(other.get("/app/resources"));
    assertThat(browser.post("/app/resources", form + "&csrf=" + theirs).statusCode())
        .isEqualTo(403);
    assertThat(resourceCount(team)).isZero();

    // The page's own token works: the resource is made.
    HttpResponse<String> made = browser.post("/app/resources", form + "&csrf=" + token);
    assertThat(made.statusCode()).as(made.body()).isEqualTo(303);
    assertThat(made.headers().firstValue("Location")).hasValue("/app/resources?notice=created");
    assertThat(resourceCount(team)).isEqualTo(1);

    // A session's forms are bound to it: signing out makes the old token worthless.
    HttpResponse<String> out = browser.post("/app/logout", "csrf=" + token);
    assertThat(out.statusCode()).isEqualTo(303);
    browser.session = "";
    assertThat(
            browser
                .post("/app/signin/key", "api_key=" + team.apiKey() + "&csrf=" + token)
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void theClaimPreviewIsJsonForClientsAndAPageForPeople() {
    JsonNode made =
        JSON.readTree(api.fromManyNetworks().postJson("/db/new", "{\"name\":\"claim-me\"}").body());
    String jwt = made.get("upgrade_jwt").asString();
    HttpResponse<String> json = api.http().get("/claim/preview?t=" + jwt);
    assertThat(json.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/json");
    HttpResponse<String> page =
        api.http().get("/claim/preview?t=" + jwt, Map.of("Accept", "text/html"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("claim-me", "What happens next", "name=\"email\"", "action=\"/app/claim\"");
    HttpResponse<String> bad =
        api.http().get("/claim/preview?t=nonsense", Map.of("Accept", "text/html"));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.body()).contains("This claim link does not work");
  }

  @Test
  void theNewFormsAreRefusedWithoutTheirCsrfTokenAndChangeNothing() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Teams.memberKey(api.env(), team.team().id(), TeamRole.DEVELOPER);
    Browser owner = new Browser("instanode_session=" + Teams.session(api.env(), team));
    String token = owner.csrfFrom(owner.get("/app/team"));
    HttpResponse<String> invited =
        owner.post("/app/team/invitations", "email=later%40example.com&role=viewer&csrf=" + token);
    assertThat(invited.statusCode()).as(invited.body()).isEqualTo(303);
    JsonNode before = members(team);
    String developer = userId(before, "developer");
    String invitation = invitationId(team);

    for (String[] form :
        List.of(
            new String[] {"/app/team/members/" + developer + "/role", "role=admin"},
            new String[] {"/app/team/members/" + developer + "/remove", "confirm=yes"},
            new String[] {"/app/team/invitations/" + invitation + "/revoke", ""},
            new String[] {"/app/stacks/stk-0000ffff/env", "set=A%3D1"},
            new String[] {"/app/stacks/stk-0000ffff/redeploy", "confirm=yes"})) {
      HttpResponse<String> none = owner.post(form[0], form[1]);
      assertThat(none.statusCode()).as(form[0]).isEqualTo(403);
      assertThat(none.body()).as(form[0]).contains("nothing was done");
      HttpResponse<String> wrong = owner.post(form[0], form[1] + "&csrf=" + "A".repeat(43));
      assertThat(wrong.statusCode()).as(form[0]).isEqualTo(403);
    }
    assertThat(members(team)).isEqualTo(before);
    assertThat(invitationStatus(team, invitation)).isEqualTo("pending");

    // With the page's token each does what it says.
    HttpResponse<String> promoted =
        owner.post("/app/team/members/" + developer + "/role", "role=admin&csrf=" + token);
    assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(303);
    assertThat(userId(members(team), "admin")).isEqualTo(developer);
    HttpResponse<String> asked =
        owner.post("/app/team/members/" + developer + "/remove", "csrf=" + token);
    assertThat(asked.statusCode()).isEqualTo(200);
    assertThat(asked.body()).contains("leaves the team", "name=\"confirm\" value=\"yes\"");
    assertThat(members(team).size()).as("asking removes no one").isEqualTo(2);
    assertThat(
            owner
                .post("/app/team/members/" + developer + "/remove", "confirm=yes&csrf=" + token)
                .statusCode())
        .isEqualTo(303);
    assertThat(members(team).size()).isEqualTo(1);
    assertThat(owner.post("/app/team/invitations/" + invitation + "/revoke", "csrf=" + token))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(303);
    assertThat(invitationStatus(team, invitation)).isEqualTo("revoked");
  }

  @Test
  void aViewerSeesNoTeamButtonsAndACraftedPostIsRefused() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String viewerKey = Teams.memberKey(api.env(), team.team().id(), TeamRole.VIEWER);
    Browser viewer = new Browser("instanode_session=" + viewerKey);
    HttpResponse<String> page = viewer.get("/app/team");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .doesNotContain("/role\"", "/remove\"", "/revoke\"", "Change role", "Send invitation");
    String token = viewer.csrfFrom(page);
    String owner = userId(members(team), "owner");

    HttpResponse<String> crafted =
        viewer.post("/app/team/members/" + owner + "/role", "role=viewer&csrf=" + token);
    assertThat(crafted.statusCode()).isEqualTo(403);
    assertThat(crafted.body()).contains("forbidden_role");
    assertThat(
            viewer
                .post("/app/team/members/" + owner + "/remove", "confirm=yes&csrf=" + token)
                .statusCode())
        .isEqualTo(403);
    assertThat(userId(members(team), "owner")).isEqualTo(owner);
  }

  @Test
  void aHostileWebhookBodyAndHeaderShowAsTextOnTheInspector() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode made =
        JSON.readTree(
            api.http()
                .post("/webhook/new", "{\"name\":\"hostile\"}", Teams.bearer(team.apiKey()))
                .body());
    String token = made.get("token").asString();
    String receive = URI.create(made.get("receive_url").asString()).getPath();
    HttpResponse<String> sent =
        api.http()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + receive))
                    .POST(HttpRequest.BodyPublishers.ofString("<script>alert(1)</script>")),
                Map.of("Content-Type", "text/html", "X-Evil", "<img src=x onerror=alert(2)>"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

    Browser browser = new Browser("instanode_session=" + team.apiKey());
    HttpResponse<String> page = browser.get("/app/webhooks/" + token);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    assertThat(page.body())
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("&lt;img src=x onerror=alert(2)&gt;")
        .contains("value=\"" + made.get("receive_url").asString() + "\"")
        .doesNotContain("<script>alert")
        .doesNotContain("<img src=x");
    // The resources list links the receiver to its inspector.
    assertThat(browser.get("/app/resources").body())
        .contains("href=\"/app/webhooks/" + token + "\"");
    // Another team's receiver is not found.
    Browser other = new Browser("instanode_session=" + Teams.create(api.env(), Tier.PRO).apiKey());
    assertThat(other.get("/app/webhooks/" + token).statusCode()).isEqualTo(404);
  }

  private static JsonNode members(TeamBootstrap.Bootstrapped team) {
    return JSON.readTree(api.http().get("/api/v1/team/members", Teams.bearer(team.apiKey())).body())
        .get("items");
  }

  private static String userId(JsonNode members, String role) {
    for (JsonNode m : members) {
      if (m.get("role").asString().equals(role)) {
        return m.get("user_id").asString();
      }
    }
    throw new AssertionError("no " + role + " in " + members);
  }

  private static JsonNode invitations(TeamBootstrap.Bootstrapped team) {
    return JSON.readTree(
            api.http()
                .get(
                    "/api/v1/teams/" + team.team().id().value() + "/invitations",
                    Teams.bearer(team.apiKey()))
                .body())
        .get("items");
  }

  private static String invitationId(TeamBootstrap.Bootstrapped team) {
    return invitations(team).get(0).get("id").asString();
  }

  private static String invitationStatus(TeamBootstrap.Bootstrapped team, String id) {
    for (JsonNode i : invitations(team)) {
      if (i.get("id").asString().equals(id)) {
        return i.get("status").asString();
      }
    }
    throw new AssertionError("no invitation " + id);
  }

  private static long resourceCount(TeamBootstrap.Bootstrapped team) {
    return JSON.readTree(api.http().get("/api/v1/resources", Teams.bearer(team.apiKey())).body())
        .get("total")
        .asLong();
  }

  /** A cookie jar of one browser: its session and its CSRF cookie. */
  private static final class Browser {
    private final Map<String, String> cookies = new HashMap<>();
    String session;

    Browser(String sessionCookie) {
      this.session = sessionCookie;
    }

    HttpResponse<String> get(String path) {
      return keep(api.http().get(path, Map.of("Cookie", header())));
    }

    HttpResponse<String> post(String path, String form) {
      return keep(
          api.http()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                      .POST(HttpRequest.BodyPublishers.ofString(form)),
                  Map.of("Content-Type", "application/x-www-form-urlencoded", "Cookie", header())));
    }

    String csrfFrom(HttpResponse<String> page) {
      Matcher m = CSRF.matcher(page.body());
      assertThat(m.find()).as(page.body()).isTrue();
      return URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> keep(HttpResponse<String> res) {
      for (String set : res.headers().allValues("Set-Cookie")) {
        String pair = set.split(";", 2)[0];
        cookies.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
      return res;
    }

    private String header() {
      String jar =
          cookies.entrySet().stream()
              .filter(e -> !e.getKey().equals("instanode_session"))
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining("; "));
      return session.isEmpty() ? jar : jar.isEmpty() ? session : session + "; " + jar;
    }
  }
}
