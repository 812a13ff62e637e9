package dev.instanode.api.team;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.http.HtmlPage;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.signin.SignInPages;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The team, its members and its invitations: {@code /api/v1/team...}, {@code
 * /api/v1/teams/{team_id}/invitations...} and {@code /api/v1/invitations/{token}/accept}. The rules
 * are {@link TeamService}'s and {@link InvitationService}'s.
 */
public final class TeamHandler {
  private final Authenticator auth;
  private final TeamService teams;
  private final InvitationService invitations;
  private final JsonBodies bodies;

  public TeamHandler(
      Authenticator auth, TeamService teams, InvitationService invitations, JsonBodies bodies) {
    this.auth = auth;
    this.teams = teams;
    this.invitations = invitations;
    this.bodies = bodies;
  }

  public void team(Context ctx) {
    ctx.json(teams.team(auth.required(ctx)));
  }

  public void updateTeam(Context ctx) {
    var member = auth.required(ctx);
    JsonNode body = bodies.object(ctx);
    TeamService.TeamUpdate update =
        new TeamService.TeamUpdate(
            string(body, "name", ErrorCode.INVALID_NAME),
            string(body, "default_env", ErrorCode.INVALID_ENV),
            settings(body.get("settings")));
    ctx.json(teams.update(member, update, RequestContext.id(ctx)));
  }

  public void deleteTeam(Context ctx) {
    var member = auth.required(ctx);
    JsonNode body = bodies.object(ctx);
    ctx.status(202)
        .json(
            teams.requestDeletion(
                member,
                string(body, "confirm", ErrorCode.CONFIRMATION_REQUIRED),
                RequestContext.id(ctx)));
  }

  public void members(Context ctx) {
    ctx.json(
        teams.members(
            auth.required(ctx),
            Optional.ofNullable(ctx.queryParam("cursor")),
            Optional.ofNullable(ctx.queryParam("limit"))));
  }

  public void changeMember(Context ctx) {
    var member = auth.required(ctx);
    JsonNode body = bodies.object(ctx);
    String role =
        string(body, "role", ErrorCode.INVALID_ROLE)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.INVALID_ROLE,
                    "A \"role\" (admin, developer, viewer, owner) is needed."));
    ctx.json(teams.changeRole(member, ctx.pathParam("user_id"), role, RequestContext.id(ctx)));
  }

  public void removeMember(Context ctx) {
    ctx.json(teams.remove(auth.required(ctx), ctx.pathParam("user_id"), RequestContext.id(ctx)));
  }

  public void invite(Context ctx) {
    var member = auth.required(ctx);
    JsonNode body = bodies.object(ctx);
    ctx.status(201)
        .json(
            invitations.invite(
                member,
                ctx.pathParam("team_id"),
                string(body, "email", ErrorCode.INVALID_EMAIL).orElse(""),
                string(body, "role", ErrorCode.INVALID_ROLE),
                RequestContext.id(ctx)));
  }

  public void invitations(Context ctx) {
    ctx.json(
        invitations.list(
            auth.required(ctx),
            ctx.pathParam("team_id"),
            Optional.ofNullable(ctx.queryParam("cursor")),
            Optional.ofNullable(ctx.queryParam("limit"))));
  }

  public void revokeInvitation(Context ctx) {
    ctx.json(
        invitations.revoke(
            auth.required(ctx),
            ctx.pathParam("team_id"),
            ctx.pathParam("id"),
            RequestContext.id(ctx)));
  }

  /** {@code GET /invitations/{token}}: the mailed link's page; its button posts the accept. */
  public void invitationPage(Context ctx) {
    HtmlPage.send(ctx, 200, InvitationPages.confirm(ctx.pathParam("token")));
  }

  /** JSON, or the page's urlencoded form (answered with a page). */
  public void accept(Context ctx) {
    if (!HtmlPage.isForm(ctx)) {
      ctx.json(
          invitations.accept(
              ctx.pathParam("token"), auth.optionalStrict(ctx), RequestContext.id(ctx)));
      return;
    }
    try {
      HtmlPage.send(
          ctx,
          200,
          SignInPages.signedIn(
              "You joined the team",
              invitations.accept(
                  ctx.pathParam("token"), auth.optionalStrict(ctx), RequestContext.id(ctx))));
    } catch (ApiException e) {
      if (!HtmlPage.wanted(ctx)) {
        throw e;
      }
      HtmlPage.send(ctx, e.code().httpStatus(), SignInPages.failed(e.getMessage()));
    }
  }

  /** A string field, absent when missing or null; any other JSON value is a 400 of {@code code}. */
  private static Optional<String> string(JsonNode body, String field, ErrorCode code) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isString()) {
      throw new ApiException(code, "\"" + field + "\" must be a string.");
    }
    return Optional.of(node.asString());
  }

  private static Optional<Map<String, Object>> settings(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw new ApiException(ErrorCode.INVALID_SETTINGS, "\"settings\" must be a JSON object.");
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      Object value =
          v.isString()
              ? v.asString()
              : v.isNumber() ? v.numberValue() : v.isBoolean() ? (Object) v.asBoolean() : v;
      settings.put(e.getKey(), value);
    }
    return Optional.of(settings);
  }
}
