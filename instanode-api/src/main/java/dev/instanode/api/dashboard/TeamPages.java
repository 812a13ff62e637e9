package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.builds;
import static dev.instanode.api.dashboard.PageSupport.confirmed;
import static dev.instanode.api.dashboard.PageSupport.form;
import static dev.instanode.api.dashboard.PageSupport.seeOther;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.team.InvitationService;
import dev.instanode.api.team.TeamService;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.api.wire.TeamMembersReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.TeamRole;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;

/**
 * The team page: its members, open invitations and API keys, and the forms that change them,
 * through the same services as the JSON routes. A refusal shows the team page again with the
 * service's words and status.
 */
public final class TeamPages {
  private final PageSupport pages;
  private final TeamService team;
  private final InvitationService invitations;
  private final IdentityService identity;

  TeamPages(
      PageSupport pages,
      TeamService team,
      InvitationService invitations,
      IdentityService identity) {
    this.pages = pages;
    this.team = team;
    this.invitations = invitations;
    this.identity = identity;
  }

  public void teamPage(Context ctx) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> render(ctx, m, 200, pages.frame(ctx, m, "Team"), Optional.empty()));
  }

  /** A new API key, shown this once; only a session makes keys (the service's rule). */
  public void createKey(Context ctx) {
    attempt(
        ctx,
        m -> {
          String key =
              identity
                  .createApiKey(
                      m,
                      new ApiKeyRequest(Optional.of(form(ctx, "name")), Optional.empty()),
                      RequestContext.id(ctx))
                  .key();
          render(ctx, m, 201, pages.frame(ctx, m, "Team"), Optional.of(key));
        });
  }

  public void revokeKey(Context ctx) {
    act(
        ctx,
        m -> identity.revokeApiKey(m, ctx.pathParam("id"), RequestContext.id(ctx)),
        "key_revoked");
  }

  public void invite(Context ctx) {
    act(
        ctx,
        m ->
            invitations.invite(
                m,
                m.teamId().toString(),
                form(ctx, "email"),
                Optional.of(form(ctx, "role")).filter(r -> !r.isBlank()),
                RequestContext.id(ctx)),
        "invited");
  }

  /** Revokes an open invitation, through the same service as the JSON route. */
  public void revokeInvitation(Context ctx) {
    act(
        ctx,
        m ->
            invitations.revoke(
                m, m.teamId().toString(), ctx.pathParam("id"), RequestContext.id(ctx)),
        "invitation_revoked");
  }

  /** Gives a member another role; the service holds admins and owners to its rules. */
  public void changeRole(Context ctx) {
    act(
        ctx,
        m ->
            team.changeRole(m, ctx.pathParam("user_id"), form(ctx, "role"), RequestContext.id(ctx)),
        "role_changed");
  }

  /** Removes a member after a confirmation step, as a delete is. */
  public void removeMember(Context ctx) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String user = ctx.pathParam("user_id");
    if (!confirmed(ctx)) {
      Optional<String> email =
          team.members(m, Optional.empty(), Optional.of("200")).items().stream()
              .filter(member -> member.userId().equals(user))
              .map(TeamMembersReply.Member::email)
              .findFirst();
      if (email.isEmpty()) {
        refused(ctx, m, 404, "No such member in this team.");
        return;
      }
      pages.confirm(
          ctx,
          m,
          "Remove " + email.get() + "?",
          email.get()
              + " leaves the team at once: their sessions end and their API keys are revoked."
              + " Inviting them again is the only way back.",
          "/app/team/members/" + user + "/remove",
          Map.of(),
          "Remove " + email.get(),
          "/app/team");
      return;
    }
    act(ctx, mm -> team.remove(mm, user, RequestContext.id(ctx)), "member_removed");
  }

  /** A change the signed-in member asks of the team. */
  private interface TeamAct {
    void act(Caller.Member member);
  }

  /** Makes the change, then 303 to the team page with its notice. */
  private void act(Context ctx, TeamAct act, String notice) {
    attempt(
        ctx,
        m -> {
          act.act(m);
          seeOther(ctx, "/app/team?notice=" + notice);
        });
  }

  /** For a signed-in member: runs the step, or shows the team page with the service's refusal. */
  private void attempt(Context ctx, TeamAct step) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> {
          try {
            step.act(m);
          } catch (ApiException e) {
            refused(ctx, m, e.code().httpStatus(), e.getMessage());
          }
        });
  }

  private void refused(Context ctx, Caller.Member m, int status, String error) {
    render(ctx, m, status, pages.frame(ctx, m, "Team").withError(error), Optional.empty());
  }

  private void render(
      Context ctx, Caller.Member m, int status, Model.Frame frame, Optional<String> newKey) {
    var members = team.members(m, Optional.empty(), Optional.of("200")).items();
    var open =
        invitations.list(m, m.teamId().toString(), Optional.empty(), Optional.of("200")).items();
    var keys = identity.apiKeys(m, Optional.empty(), Optional.of("200")).items();
    pages.send(
        ctx,
        status,
        "team.jte",
        new Model.Team(
            frame, members, open, keys, newKey, builds(m), m.role().atLeast(TeamRole.ADMIN)));
  }
}
