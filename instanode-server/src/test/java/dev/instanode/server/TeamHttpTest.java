package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A team people run: its settings, its members and their roles (never without an owner), and
 * invitations mailed through a real SMTP server, single-use, bound to their address, capped by the
 * plan.
 */
class TeamHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern ACCEPT_TOKEN =
      Pattern.compile("/api/v1/invitations/([0-9a-f]{64})/accept");

  static final Mailbox mail = Mailbox.start();

  @RegisterExtension static final RunningApi api = RunningApi.with("SMTP_URL", mail.smtpUrl());

  @AfterAll
  static void stopMail() {
    mail.close();
  }

  @Test
  void anAdminRenamesTheTeamAndSetsItsDefaultEnvAndSettings() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String admin = Teams.memberKey(api.env(), team.team().id(), TeamRole.ADMIN);
    JsonNode changed =
        json(
            patch(
                "/api/v1/team",
                "{\"name\":\"Acme\",\"default_env\":\"staging\","
                    + "\"settings\":{\"slack_alerts\":true,\"region\":\"eu\"}}",
                admin),
            200);
    assertThat(changed.at("/team/name").asString()).isEqualTo("Acme");
    assertThat(changed.at("/team/default_env").asString()).isEqualTo("staging");
    assertThat(changed.at("/team/settings/slack_alerts").asBoolean()).isTrue();
    assertThat(changed.at("/team/your_role").asString()).isEqualTo("admin");
    assertThat(changed.at("/team/members_limit").asInt()).isEqualTo(5);

    JsonNode read = json(api.http().get("/api/v1/team", Teams.bearer(team.apiKey())), 200);
    assertThat(read.at("/team/name").asString()).isEqualTo("Acme");
    assertThat(read.at("/team/settings/region").asString()).isEqualTo("eu");

    // A member's resource without an env takes the team's default; one that names it keeps it.
    JsonNode made =
        json(api.fromManyNetworks().post("/db/new", "{\"name\":\"d\"}", Teams.bearer(admin)), 201);
    assertThat(made.get("env").asString()).isEqualTo("staging");
    JsonNode named =
        json(
            api.fromManyNetworks()
                .post("/db/new", "{\"name\":\"d\",\"env\":\"production\"}", Teams.bearer(admin)),
            201);
    assertThat(named.get("env").asString()).isEqualTo("production");

    assertThat(error(patch("/api/v1/team", "{\"settings\":{\"Bad Key\":1}}", admin)))
        .isEqualTo("invalid_settings");
    assertThat(error(patch("/api/v1/team", "{\"settings\":{\"nested\":{}}}", admin)))
        .isEqualTo("invalid_settings");
    assertThat(error(patch("/api/v1/team", "{\"default_env\":\"Prod!\"}", admin)))
        .isEqualTo("invalid_env");
    assertThat(error(patch("/api/v1/team", "{\"name\":7}", admin))).isEqualTo("invalid_name");
    assertThat(auditKinds(team)).contains("team.updated");
  }

  @Test
  void anInvitationIsMailedAcceptedOnceAndSignsTheNewMemberIn() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String teamId = team.team().id().toString();
    String email = "new-" + UUID.randomUUID() + "@example.com";

    JsonNode invited =
        json(
            api.http()
                .post(
                    "/api/v1/teams/" + teamId + "/invitations",
                    "{\"email\":\"" + email.toUpperCase() + "\",\"role\":\"viewer\"}",
                    Teams.bearer(team.apiKey())),
            201);
    assertThat(invited.at("/invitation/email").asString()).isEqualTo(email);
    assertThat(invited.at("/invitation/status").asString()).isEqualTo("pending");
    Mailbox.Received letter = mail.await(email, "invited");
    String token = letter.find(ACCEPT_TOKEN);
    // The token went to the address only: not in the reply, not in the list.
    assertThat(invited.toString()).doesNotContain(token);
    HttpResponse<String> listed =
        api.http().get("/api/v1/teams/" + teamId + "/invitations", Teams.bearer(team.apiKey()));
    assertThat(json(listed, 200).at("/items/0/status").asString()).isEqualTo("pending");
    assertThat(listed.body()).doesNotContain(token);

    assertThat(letter.text()).contains("/invitations/" + token);
    HttpResponse<String> page = api.http().get("/invitations/" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/api/v1/invitations/" + token + "/accept\"");
    JsonNode session =
        json(api.http().post("/api/v1/invitations/" + token + "/accept", "", Map.of()), 200);
    assertThat(session.get("role").asString()).isEqualTo("viewer");
    assertThat(session.get("team_id").asString()).isEqualTo(teamId);
    JsonNode whoami =
        json(
            api.http().get("/api/v1/whoami", Teams.bearer(session.get("session_token").asString())),
            200);
    assertThat(whoami.get("role").asString()).isEqualTo("viewer");
    assertThat(whoami.get("auth_method").asString()).isEqualTo("session");

    HttpResponse<String> again =
        api.http().post("/api/v1/invitations/" + token + "/accept", "", Map.of());
    assertThat(again.statusCode()).isEqualTo(410);
    assertThat(error(again)).isEqualTo("invitation_used");

    JsonNode members =
        json(api.http().get("/api/v1/team/members", Teams.bearer(team.apiKey())), 200);
    assertThat(members.get("items")).hasSize(2);
    JsonNode joined = members.get("items").get(1);
    assertThat(joined.get("email").asString()).isEqualTo(email);
    assertThat(joined.get("role").asString()).isEqualTo("viewer");
    assertThat(joined.get("email_verified").asBoolean()).isTrue();
    assertThat(
            json(
                    api.http()
                        .get(
                            "/api/v1/teams/" + teamId + "/invitations",
                            Teams.bearer(team.apiKey())),
                    200)
                .at("/items/0/status")
                .asString())
        .isEqualTo("accepted");
    assertThat(auditKinds(team)).contains("team.invitation_created", "team.invitation_accepted");
  }

  @Test
  void anExpiredOrRevokedInvitationIsGoneAndAnotherAddressCannotUseOne() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String teamId = team.team().id().toString();
    String late = "late-" + UUID.randomUUID() + "@example.com";
    invite(team, late, "developer");
    String lateToken = mail.await(late, "invited").find(ACCEPT_TOKEN);
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "UPDATE team_invitations SET expires_at = now() - interval '1 second'"
                      + " WHERE email = ?",
                  late));
    }
    HttpResponse<String> expired =
        api.http().post("/api/v1/invitations/" + lateToken + "/accept", "", Map.of());
    assertThat(expired.statusCode()).isEqualTo(410);
    assertThat(error(expired)).isEqualTo("invitation_expired");

    String revoked = "revoked-" + UUID.randomUUID() + "@example.com";
    String id = invite(team, revoked, "developer").at("/invitation/id").asString();
    String revokedToken = mail.await(revoked, "invited").find(ACCEPT_TOKEN);
    assertThat(
            api.http()
                .delete(
                    "/api/v1/teams/" + teamId + "/invitations/" + id, Teams.bearer(team.apiKey()))
                .statusCode())
        .isEqualTo(200);
    assertThat(
            error(api.http().post("/api/v1/invitations/" + revokedToken + "/accept", "", Map.of())))
        .isEqualTo("invitation_expired");

    // Signed in as someone else, the invitation is not theirs to take.
    String bound = "bound-" + UUID.randomUUID() + "@example.com";
    invite(team, bound, "developer");
    String boundToken = mail.await(bound, "invited").find(ACCEPT_TOKEN);
    TeamBootstrap.Bootstrapped other = Teams.create(api.env(), Tier.PRO);
    HttpResponse<String> mismatch =
        api.http()
            .post(
                "/api/v1/invitations/" + boundToken + "/accept", "", Teams.bearer(other.apiKey()));
    assertThat(mismatch.statusCode()).isEqualTo(403);
    assertThat(error(mismatch)).isEqualTo("invitation_email_mismatch");

    assertThat(
            error(
                api.http().post("/api/v1/invitations/" + "0".repeat(64) + "/accept", "", Map.of())))
        .isEqualTo("not_found");
    // Another team's invitations are not there for this caller.
    assertThat(
            api.http()
                .get(
                    "/api/v1/teams/" + other.team().id() + "/invitations",
                    Teams.bearer(team.apiKey()))
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void anInvitationLastsSevenDays() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String email = "week-" + UUID.randomUUID() + "@example.com";
    Instant before = Instant.now();
    JsonNode invited = invite(team, email, "developer");
    Instant after = Instant.now();
    Instant expiresAt = Instant.parse(invited.at("/invitation/expires_at").asString());
    assertThat(expiresAt)
        .isBetween(
            before.plus(Duration.ofDays(7)).minusSeconds(1),
            after.plus(Duration.ofDays(7)).plusSeconds(1));
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      Instant stored =
          db.jdbi()
              .withHandle(h ->
                  h.createQuery("SELECT expires_at FROM team_invitations WHERE email = :e")
                      .bind("e", email)
                      .mapTo(Instant.class)
                      .one());
      assertThat(stored).isEqualTo(expiresAt);
    }
  }

  @Test
  void anAdminCannotInviteAnOwnerNorRemoveOne() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String admin = Teams.memberKey(api.env(), team.team().id(), TeamRole.ADMIN);
    String ownerId = team.owner().id().toString();
    String email = "would-be-owner-" + UUID.randomUUID() + "@example.com";

    HttpResponse<String> ownerInvite =
        api.http()
            .post(
                "/api/v1/teams/" + team.team().id() + "/invitations",
                "{\"email\":\"" + email + "\",\"role\":\"owner\"}",
                Teams.bearer(admin));
    assertThat(ownerInvite.statusCode()).isEqualTo(403);
    assertThat(error(ownerInvite)).isEqualTo("forbidden_role");

    // A second owner, so that only the admin's role stands in the way.
    String secondOwner = Teams.memberKey(api.env(), team.team().id(), TeamRole.OWNER);
    for (String owner : List.of(ownerId, userId(secondOwner))) {
      HttpResponse<String> removal =
          api.http().delete("/api/v1/team/members/" + owner, Teams.bearer(admin));
      assertThat(removal.statusCode()).isEqualTo(403);
      assertThat(error(removal)).isEqualTo("forbidden_role");
      assertThat(error(role(admin, owner, "admin"))).isEqualTo("forbidden_role");
    }
    JsonNode members = json(api.http().get("/api/v1/team/members", Teams.bearer(admin)), 200);
    assertThat(members.get("items"))
        .filteredOn(m -> m.get("role").asString().equals("owner"))
        .hasSize(2);
    // An owner may invite one.
    assertThat(invite(team, email, "owner").at("/invitation/role").asString()).isEqualTo("owner");
  }

  @Test
  void revokingAnInvitationThatIsNotOpenIsNotFound() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String invitations = "/api/v1/teams/" + team.team().id() + "/invitations/";
    Map<String, String> auth = Teams.bearer(team.apiKey());

    HttpResponse<String> unknown = api.http().delete(invitations + UUID.randomUUID(), auth);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown)).isEqualTo("not_found");
    assertThat(api.http().delete(invitations + "not-an-id", auth).statusCode()).isEqualTo(404);

    String id =
        invite(team, "twice-" + UUID.randomUUID() + "@example.com", "developer")
            .at("/invitation/id")
            .asString();
    assertThat(api.http().delete(invitations + id, auth).statusCode()).isEqualTo(200);
    assertThat(error(api.http().delete(invitations + id, auth))).isEqualTo("not_found");
    // Another team's invitation is not there for this caller.
    TeamBootstrap.Bootstrapped other = Teams.create(api.env(), Tier.PRO);
    String theirs =
        invite(other, "theirs-" + UUID.randomUUID() + "@example.com", "developer")
            .at("/invitation/id")
            .asString();
    assertThat(
            api.http()
                .delete("/api/v1/teams/" + team.team().id() + "/invitations/" + theirs, auth)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void invitationsHoldSeatsAndThePlanCapsThem() {
    TeamBootstrap.Bootstrapped hobby = Teams.create(api.env(), Tier.HOBBY);
    HttpResponse<String> full =
        api.http()
            .post(
                "/api/v1/teams/" + hobby.team().id() + "/invitations",
                "{\"email\":\"one-more@example.com\"}",
                Teams.bearer(hobby.apiKey()));
    assertThat(full.statusCode()).isEqualTo(402);
    assertThat(error(full)).isEqualTo("member_limit_reached");
    assertThat(JSON.readTree(full.body()).get("upgrade_url").asString()).isNotBlank();

    TeamBootstrap.Bootstrapped pro = Teams.create(api.env(), Tier.PRO);
    for (int i = 0; i < 4; i++) {
      invite(pro, "seat-" + i + "-" + UUID.randomUUID() + "@example.com", "developer");
    }
    String repeated = "seat-again-" + UUID.randomUUID() + "@example.com";
    HttpResponse<String> fifth =
        api.http()
            .post(
                "/api/v1/teams/" + pro.team().id() + "/invitations",
                "{\"email\":\"" + repeated + "\"}",
                Teams.bearer(pro.apiKey()));
    assertThat(error(fifth)).isEqualTo("member_limit_reached");
  }

  @Test
  void aTeamAlwaysKeepsAnOwnerAndOnlyAnOwnerMakesOrUnmakesOne() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String ownerId = team.owner().id().toString();
    String admin = Teams.memberKey(api.env(), team.team().id(), TeamRole.ADMIN);
    String adminId = userId(admin);

    HttpResponse<String> demoteSelf = role(team.apiKey(), ownerId, "admin");
    assertThat(demoteSelf.statusCode()).isEqualTo(409);
    assertThat(error(demoteSelf)).isEqualTo("last_owner");
    assertThat(
            error(
                api.http().delete("/api/v1/team/members/" + ownerId, Teams.bearer(team.apiKey()))))
        .isEqualTo("last_owner");

    assertThat(error(role(admin, ownerId, "viewer"))).isEqualTo("forbidden_role");
    assertThat(error(role(admin, adminId, "owner"))).isEqualTo("forbidden_role");
    assertThat(error(role(admin, adminId, "superuser"))).isEqualTo("invalid_role");

    JsonNode promoted = json(role(team.apiKey(), adminId, "owner"), 200);
    assertThat(promoted.get("previous_role").asString()).isEqualTo("admin");
    // Two owners: now the first may step down, and the other becomes the team's primary.
    json(role(team.apiKey(), ownerId, "developer"), 200);
    JsonNode members = json(api.http().get("/api/v1/team/members", Teams.bearer(admin)), 200);
    for (JsonNode m : members.get("items")) {
      assertThat(m.get("primary").asBoolean())
          .isEqualTo(m.get("user_id").asString().equals(adminId));
    }
    // The old owner's key now acts as a developer.
    assertThat(
            json(api.http().get("/api/v1/whoami", Teams.bearer(team.apiKey())), 200)
                .get("role")
                .asString())
        .isEqualTo("developer");
    assertThat(error(role(team.apiKey(), adminId, "viewer"))).isEqualTo("forbidden_role");
    assertThat(auditKinds(team)).contains("team.member_role_changed");
  }

  @Test
  void aRemovedMemberIsSignedOutAndTheirKeysStopWorking() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String email = "leaver-" + UUID.randomUUID() + "@example.com";
    invite(team, email, "developer");
    String token = mail.await(email, "invited").find(ACCEPT_TOKEN);
    JsonNode session =
        json(api.http().post("/api/v1/invitations/" + token + "/accept", "", Map.of()), 200);
    Map<String, String> sessionAuth = Teams.bearer(session.get("session_token").asString());
    String key =
        json(api.http().post("/api/v1/auth/api-keys", "{\"name\":\"laptop\"}", sessionAuth), 201)
            .get("key")
            .asString();
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(key)).statusCode()).isEqualTo(200);

    HttpResponse<String> removed =
        api.http()
            .delete(
                "/api/v1/team/members/" + session.get("user_id").asString(),
                Teams.bearer(team.apiKey()));
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(key)).statusCode()).isEqualTo(401);
    assertThat(api.http().get("/api/v1/whoami", sessionAuth).statusCode()).isEqualTo(401);
    assertThat(auditKinds(team)).contains("team.member_removed");
  }

  @Test
  void invitationsDieWithTheirSenderAndWithTheTeam() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String admin = Teams.memberKey(api.env(), team.team().id(), TeamRole.ADMIN);
    String friend = "friend-" + UUID.randomUUID() + "@example.com";
    json(
        api.http()
            .post(
                "/api/v1/teams/" + team.team().id() + "/invitations",
                "{\"email\":\"" + friend + "\",\"role\":\"admin\"}",
                Teams.bearer(admin)),
        201);
    String token = mail.await(friend, "invited").find(ACCEPT_TOKEN);
    json(
        api.http().delete("/api/v1/team/members/" + userId(admin), Teams.bearer(team.apiKey())),
        200);
    assertThat(error(api.http().post("/api/v1/invitations/" + token + "/accept", "", Map.of())))
        .as("a removed admin's invitation cannot bring anyone back")
        .isEqualTo("invitation_expired");

    String other = "other-" + UUID.randomUUID() + "@example.com";
    invite(team, other, "developer");
    String otherToken = mail.await(other, "invited").find(ACCEPT_TOKEN);
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "UPDATE teams SET status = 'deletion_pending' WHERE id = ?",
                  team.team().id().value()));
    }
    assertThat(
            error(api.http().post("/api/v1/invitations/" + otherToken + "/accept", "", Map.of())))
        .as("nobody joins a team being deleted")
        .isEqualTo("invitation_expired");
  }

  private static JsonNode invite(TeamBootstrap.Bootstrapped team, String email, String role) {
    return json(
        api.http()
            .post(
                "/api/v1/teams/" + team.team().id() + "/invitations",
                "{\"email\":\"" + email + "\",\"role\":\"" + role + "\"}",
                Teams.bearer(team.apiKey())),
        201);
  }

  private static HttpResponse<String> role(String key, String userId, String role) {
    return patch("/api/v1/team/members/" + userId, "{\"role\":\"" + role + "\"}", key);
  }

  private static String userId(String key) {
    return json(api.http().get("/api/v1/whoami", Teams.bearer(key)), 200).get("user_id").asString();
  }

  private static HttpResponse<String> patch(String path, String body, String key) {
    return api.http().send("PATCH", path, body, Teams.bearer(key));
  }

  private static List<String> auditKinds(TeamBootstrap.Bootstrapped team) {
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      return Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  db.jdbi()
                      .withHandle(h ->
                          h.createQuery("SELECT kind FROM audit_log WHERE team_id = :t")
                              .bind("t", team.team().id().value())
                              .mapTo(String.class)
                              .list()),
              kinds -> !kinds.isEmpty());
    }
  }

  private static JsonNode json(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return JSON.readTree(res.body());
  }

  private static String error(HttpResponse<String> res) {
    return JSON.readTree(res.body()).path("error").asString("");
  }
}
