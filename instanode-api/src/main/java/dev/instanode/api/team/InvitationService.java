package dev.instanode.api.team;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.http.Pages;
import dev.instanode.api.mail.Mail;
import dev.instanode.api.mail.MailOutbox;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.api.wire.InvitationReply;
import dev.instanode.api.wire.InvitationsReply;
import dev.instanode.api.wire.SessionReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.EmailAddresses;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.core.auth.OneTimeTokens;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.InvitationRepository;
import dev.instanode.store.InvitationRepository.Invitation;
import dev.instanode.store.UserRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Invitations to join a team. One goes to one address, lasts 7 days, is used once, and holds a seat
 * of the plan's {@code team_members} while it is open. Its token is mailed and never shown to the
 * inviter: accepting it proves the address, so the new member's address is verified.
 */
public final class InvitationService {
  public static final Duration LIFETIME = Duration.ofDays(7);

  private final Jdbi jdbi;
  private final InvitationRepository invitations;
  private final Plans plans;
  private final AuditLog audit;
  private final Optional<MailOutbox> mail;
  private final SessionTokens sessions;
  private final String publicBaseUrl;
  private final String upgradeUrl;
  private final Clock clock;

  public InvitationService(
      Jdbi jdbi,
      InvitationRepository invitations,
      Plans plans,
      AuditLog audit,
      Optional<MailOutbox> mail,
      SessionTokens sessions,
      String publicBaseUrl,
      String upgradeUrl,
      Clock clock) {
    this.jdbi = jdbi;
    this.invitations = invitations;
    this.plans = plans;
    this.audit = audit;
    this.mail = mail;
    this.sessions = sessions;
    this.publicBaseUrl = publicBaseUrl;
    this.upgradeUrl = upgradeUrl;
    this.clock = clock;
  }

  public InvitationReply invite(
      Caller.Member member,
      String rawTeamId,
      String rawEmail,
      Optional<String> rawRole,
      RequestId requestId) {
    TeamId team = ownTeam(member, rawTeamId);
    String email = EmailAddresses.require(rawEmail);
    TeamRole role =
        rawRole
            .map(r ->
                TeamRole.parse(r)
                    .orElseThrow(() ->
                        new ApiException(
                            ErrorCode.INVALID_ROLE,
                            "role must be owner, admin, developer or viewer.")))
            .orElse(TeamRole.DEVELOPER);

    MailOutbox outbox =
        mail.orElseThrow(() ->
            new ApiException(
                ErrorCode.MAIL_UNAVAILABLE, "Invitations are mailed, and mail is not set up."));
    String token = OneTimeTokens.invitation();
    Instant expiresAt = clock.instant().plus(LIFETIME).truncatedTo(ChronoUnit.SECONDS);
    record Made(Invitation invitation, int replaced) {}
    Made made =
        jdbi.inTransaction(h -> {
          Tier tier =
              IdentityRepository.lockPlan(h, team)
                  .orElseThrow(
                      () -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
          // The inviter's role as it is now, under the team's lock.
          TeamRole inviter = TeamService.callerRoleNow(h, member);
          if (role == TeamRole.OWNER && inviter != TeamRole.OWNER) {
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "Only an owner may invite an owner.");
          }
          Optional<UserRecord> holder = IdentityRepository.userByEmail(h, email);
          if (holder.isPresent() && holder.get().teamId().equals(team)) {
            throw new ApiException(ErrorCode.ALREADY_MEMBER, email + " is already a member.");
          }
          int replaced = InvitationRepository.revokeOpen(h, team, email);
          long seats = plans.of(tier).teamMembers();
          int taken =
              IdentityRepository.memberCount(h, team) + InvitationRepository.pending(h, team);
          if (seats >= 0 && taken >= seats) {
            throw ApiException.withUpgradeUrl(
                ErrorCode.MEMBER_LIMIT_REACHED,
                "The "
                    + tier.wireName()
                    + " plan has "
                    + seats
                    + " seat(s), all taken by members or open invitations.",
                upgradeUrl);
          }
          return new Made(
              InvitationRepository.insert(
                  h, team, email, role, ApiKeys.hash(token), member.userId(), expiresAt),
              replaced);
        });
    outbox.post(
        new Mail(
            email,
            "You are invited to a team on instanode",
            "You were invited to join a team on instanode as "
                + role.wireName()
                + ".\n\nAccept within 7 days:\n"
                + publicBaseUrl
                + "/invitations/"
                + token
                + "\n\nor from a terminal:\ncurl -X POST "
                + acceptUrl(token)
                + "\n\nAccepting signs you in. If you did not expect this, ignore it.\n",
            "invitation"));
    audit.record(
        event(
            team,
            AuditKind.TEAM_INVITATION_CREATED,
            "Invitation sent",
            Map.of(
                "invitation_id", made.invitation().id().toString(),
                "role", role.wireName(),
                "replaced", made.replaced()),
            requestId));
    return new InvitationReply(true, item(made.invitation()), made.replaced());
  }

  private String acceptUrl(String token) {
    return publicBaseUrl + "/api/v1/invitations/" + token + "/accept";
  }

  public InvitationsReply list(
      Caller.Member member, String rawTeamId, Optional<String> cursor, Optional<String> limit) {
    TeamId team = ownTeam(member, rawTeamId);
    Pages.Page<Invitation> page =
        Pages.read(
            cursor,
            limit,
            (after, n) -> invitations.list(team, after, n),
            Invitation::createdAt,
            Invitation::id);
    return new InvitationsReply(true, page.items().stream().map(this::item).toList(), page.next());
  }

  public DeletedReply revoke(
      Caller.Member member, String rawTeamId, String rawId, RequestId requestId) {
    TeamId team = ownTeam(member, rawTeamId);
    UUID id = uuid(rawId, "No such open invitation in this team.");
    if (!invitations.revoke(team, id)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such open invitation in this team.");
    }
    audit.record(
        event(
            team,
            AuditKind.TEAM_INVITATION_REVOKED,
            "Invitation revoked",
            Map.of("invitation_id", id.toString()),
            requestId));
    return new DeletedReply(true, "Invitation " + id + " revoked.");
  }

  /**
   * Joins the invitation's team as its role and signs the new member in. A signed-in caller must be
   * the invited address; an address that already has an account elsewhere must leave that team
   * first (a person belongs to one team).
   */
  public SessionReply accept(String token, Caller caller, RequestId requestId) {
    if (!OneTimeTokens.looksLikeInvitation(token)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such invitation.");
    }
    UserRecord joined =
        jdbi.inTransaction(h -> {
          Invitation invitation =
              InvitationRepository.lockByHash(h, ApiKeys.hash(token))
                  .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No such invitation."));
          switch (invitation.status(clock.instant())) {
            case "accepted" ->
                throw new ApiException(
                    ErrorCode.INVITATION_USED, "This invitation was already accepted.");
            case "revoked", "expired" ->
                throw new ApiException(
                    ErrorCode.INVITATION_EXPIRED, "This invitation expired or was revoked.");
            default -> {}
          }
          if (caller instanceof Caller.Member signedIn
              && !signedIn
                  .userId()
                  .flatMap(u -> sameAddress(h, u, invitation.email()))
                  .orElse(false)) {
            throw new ApiException(
                ErrorCode.INVITATION_EMAIL_MISMATCH,
                "This invitation was sent to another address than the one signed in.");
          }
          Tier tier =
              IdentityRepository.lockPlanIfActive(h, invitation.teamId())
                  .orElseThrow(() ->
                      new ApiException(
                          ErrorCode.INVITATION_EXPIRED,
                          "The team no longer exists or is being deleted."));
          Optional<UserRecord> holder = IdentityRepository.userByEmail(h, invitation.email());
          if (holder.isPresent()) {
            throw holder.get().teamId().equals(invitation.teamId())
                ? new ApiException(ErrorCode.ALREADY_MEMBER, "You are already in this team.")
                : new ApiException(
                    ErrorCode.ACCOUNT_EXISTS,
                    "This address already has an account in another team; leave it first.");
          }
          long seats = plans.of(tier).teamMembers();
          if (seats >= 0 && IdentityRepository.memberCount(h, invitation.teamId()) >= seats) {
            throw ApiException.withUpgradeUrl(
                ErrorCode.MEMBER_LIMIT_REACHED,
                "The team's plan has no seat left for you; ask it to upgrade.",
                upgradeUrl);
          }
          UserRecord user;
          try {
            user =
                IdentityRepository.insertMember(
                    h, invitation.teamId(), invitation.email(), invitation.role());
          } catch (UnableToExecuteStatementException e) {
            // The address joined another team in a concurrent request (one address, one user).
            if (IdentityRepository.isUniqueViolation(e)) {
              throw new ApiException(
                  ErrorCode.ACCOUNT_EXISTS, "This address has just joined another team.");
            }
            throw e;
          }
          InvitationRepository.markAccepted(h, invitation.id(), user.id());
          return user;
        });
    Instant expiresAt =
        clock.instant().plus(SessionTokens.LIFETIME).truncatedTo(ChronoUnit.SECONDS);
    String session = sessions.issue(joined.id(), joined.teamId(), joined.email());
    audit.record(
        event(
            joined.teamId(),
            AuditKind.TEAM_INVITATION_ACCEPTED,
            "Invitation accepted",
            Map.of("user_id", joined.id().toString(), "role", joined.role()),
            requestId));
    return new SessionReply(
        true,
        session,
        expiresAt,
        joined.id().toString(),
        joined.teamId().toString(),
        joined.email(),
        joined.role());
  }

  private static Optional<Boolean> sameAddress(Handle h, UUID user, String email) {
    return IdentityRepository.userByEmail(h, email).map(u -> u.id().equals(user));
  }

  private InvitationsReply.Invitation item(Invitation i) {
    return new InvitationsReply.Invitation(
        i.id().toString(),
        i.email(),
        i.role().wireName(),
        i.status(clock.instant()),
        i.invitedBy().map(UUID::toString),
        i.createdAt(),
        i.expiresAt());
  }

  /** The caller's own team; any other id is a 404, so a team's existence is not given away. */
  private static TeamId ownTeam(Caller.Member member, String rawTeamId) {
    UUID id = uuid(rawTeamId, "No such team.");
    if (!member.teamId().value().equals(id)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such team.");
    }
    return member.teamId();
  }

  private static UUID uuid(String raw, String notFound) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.NOT_FOUND, notFound);
    }
  }

  private static AuditEvent event(
      TeamId team,
      AuditKind kind,
      String summary,
      Map<String, Object> metadata,
      RequestId requestId) {
    return new AuditEvent(
        Optional.of(team),
        AuditEvent.Actor.USER,
        kind,
        Optional.empty(),
        Optional.empty(),
        summary,
        metadata,
        Optional.of(requestId.value()));
  }
}
