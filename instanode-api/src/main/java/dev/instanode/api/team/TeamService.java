package dev.instanode.api.team;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.Pages;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.api.wire.MemberChangedReply;
import dev.instanode.api.wire.TeamDeletionReply;
import dev.instanode.api.wire.TeamMembersReply;
import dev.instanode.api.wire.TeamReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.TeamRole;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.InvitationRepository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The caller's team and its members. Role changes and removals hold the team row, so two admins
 * cannot each demote one of the last two owners.
 */
public final class TeamService {
  private static final Pattern SETTING_KEY = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");
  private static final int MAX_SETTINGS = 32;
  private static final int MAX_SETTINGS_BYTES = 4096;

  private final Jdbi jdbi;
  private final IdentityRepository identities;
  private final Plans plans;
  private final AuditLog audit;
  private final JsonMapper json;

  public TeamService(
      Jdbi jdbi, IdentityRepository identities, Plans plans, AuditLog audit, JsonMapper json) {
    this.jdbi = jdbi;
    this.identities = identities;
    this.plans = plans;
    this.audit = audit;
    this.json = json;
  }

  /** What {@code PATCH /api/v1/team} may set; each part is left alone when absent. */
  public record TeamUpdate(
      Optional<String> name, Optional<String> defaultEnv, Optional<Map<String, Object>> settings) {}

  public TeamReply team(Caller.Member member) {
    IdentityRepository.TeamProfile team =
        identities
            .teamProfile(member.teamId())
            .orElseThrow(
                () -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
    return new TeamReply(
        true,
        new TeamReply.Team(
            team.id().toString(),
            team.name(),
            team.planTier().wireName(),
            team.status(),
            team.defaultEnv(),
            json.readValue(team.settings(), new TypeReference<Map<String, Object>>() {}),
            (int) plans.of(team.planTier()).teamMembers(),
            member.role().wireName(),
            team.createdAt()));
  }

  public TeamReply update(Caller.Member member, TeamUpdate update, RequestId requestId) {
    Optional<String> name =
        update
            .name()
            .map(n -> {
              if (n.isBlank()) {
                throw new ApiException(ErrorCode.INVALID_NAME, "The team name cannot be blank.");
              }
              DisplayNames.problem(n)
                  .ifPresent(p -> {
                    throw new ApiException(ErrorCode.INVALID_NAME, "The team name " + p + ".");
                  });
              return DisplayNames.normalize(n);
            });
    update
        .defaultEnv()
        .filter(env -> !ResourceNames.isValidEnv(env))
        .ifPresent(env -> {
          throw new ApiException(
              ErrorCode.INVALID_ENV,
              "default_env must be 1-32 characters of lower-case letters, digits or '-'.");
        });
    Optional<String> settings = update.settings().map(this::settingsJson);
    identities.updateTeam(member.teamId(), name, update.defaultEnv(), settings);
    List<String> fields = new ArrayList<>();
    name.ifPresent(n -> fields.add("name"));
    update.defaultEnv().ifPresent(e -> fields.add("default_env"));
    settings.ifPresent(s -> fields.add("settings"));
    record(member, AuditKind.TEAM_UPDATED, "Team updated", Map.of("fields", fields), requestId);
    return team(member);
  }

  private String settingsJson(Map<String, Object> settings) {
    if (settings.size() > MAX_SETTINGS) {
      throw new ApiException(ErrorCode.INVALID_SETTINGS, "At most 32 settings.");
    }
    for (Map.Entry<String, Object> e : settings.entrySet()) {
      if (!SETTING_KEY.matcher(e.getKey()).matches()) {
        throw new ApiException(
            ErrorCode.INVALID_SETTINGS, "Setting names are lower-case letters, digits and '_'.");
      }
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new ApiException(
            ErrorCode.INVALID_SETTINGS,
            "The setting \"" + e.getKey() + "\" must be a string, number or boolean.");
      }
    }
    String written = json.writeValueAsString(new LinkedHashMap<>(settings));
    if (written.length() > MAX_SETTINGS_BYTES) {
      throw new ApiException(ErrorCode.INVALID_SETTINGS, "Settings take at most 4 KiB.");
    }
    return written;
  }

  /**
   * {@code DELETE /api/v1/team}: the owner confirms with the team's exact name; the team is then
   * {@code deletion_pending}, no key or session of it works any more, and the worker's {@code
   * team_deletion} tears everything down and tombstones it.
   */
  public TeamDeletionReply requestDeletion(
      Caller.Member member, Optional<String> confirm, RequestId requestId) {
    IdentityRepository.TeamProfile team =
        identities
            .teamProfile(member.teamId())
            .orElseThrow(
                () -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
    if (confirm.isEmpty() || !confirm.get().equals(team.name())) {
      throw new ApiException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "Send {\"confirm\": \"" + team.name() + "\"} to delete this team and all it holds.");
    }
    if (!identities.requestDeletion(member.teamId())) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "The team is already being deleted.");
    }
    audit.write(
        new AuditEvent(
            Optional.of(member.teamId()),
            AuditEvent.Actor.USER,
            AuditKind.TEAM_DELETION_REQUESTED,
            Optional.empty(),
            Optional.empty(),
            "Team deletion requested",
            Map.of(
                "by", member.via(),
                "by_user_id", member.userId().map(UUID::toString).orElse("")),
            Optional.of(requestId.value())));
    return new TeamDeletionReply(
        true,
        "deletion_pending",
        "The team is being deleted: its keys and sessions no longer work, and every resource,"
            + " stack and secret it holds is torn down within minutes. This cannot be undone.");
  }

  public TeamMembersReply members(
      Caller.Member member, Optional<String> cursor, Optional<String> limit) {
    Pages.Page<IdentityRepository.MemberListing> page =
        Pages.read(
            cursor,
            limit,
            (after, n) -> identities.members(member.teamId(), after, n),
            IdentityRepository.MemberListing::createdAt,
            IdentityRepository.MemberListing::userId);
    return new TeamMembersReply(
        true,
        page.items().stream()
            .map(m ->
                new TeamMembersReply.Member(
                    m.userId().toString(),
                    m.email(),
                    m.role().wireName(),
                    m.primary(),
                    m.emailVerified(),
                    m.createdAt()))
            .toList(),
        page.next());
  }

  /**
   * An admin sets a developer's, viewer's or admin's role; only an owner makes an owner or changes
   * one, and the last owner keeps the role.
   */
  public MemberChangedReply changeRole(
      Caller.Member member, String rawUserId, String rawRole, RequestId requestId) {
    UUID user = userId(rawUserId);
    TeamRole role =
        TeamRole.parse(rawRole)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.INVALID_ROLE, "role must be owner, admin, developer or viewer."));
    TeamRole previous =
        jdbi.inTransaction(h -> {
          Locked locked = lockedTarget(h, member, user);
          TeamRole current = locked.target();
          if (role == TeamRole.OWNER || current == TeamRole.OWNER) {
            requireOwner(locked.caller(), "make an owner or change an owner's role");
          }
          if (current == TeamRole.OWNER
              && role != TeamRole.OWNER
              && IdentityRepository.owners(h, member.teamId()) <= 1) {
            throw new ApiException(
                ErrorCode.LAST_OWNER, "This is the team's only owner: make another owner first.");
          }
          IdentityRepository.setRole(h, member.teamId(), user, role);
          if (!role.atLeast(TeamRole.ADMIN)) {
            // Invitations they sent could bring back the power they lose.
            InvitationRepository.revokeInvitedBy(h, member.teamId(), user);
          }
          return current;
        });
    record(
        member,
        AuditKind.TEAM_MEMBER_ROLE_CHANGED,
        "Member role changed from " + previous.wireName() + " to " + role.wireName(),
        Map.of("user_id", user.toString(), "from", previous.wireName(), "to", role.wireName()),
        requestId);
    return new MemberChangedReply(true, user.toString(), role.wireName(), previous.wireName());
  }

  /** Takes a member out, their keys and sessions with them; never the last owner. */
  public DeletedReply remove(Caller.Member member, String rawUserId, RequestId requestId) {
    UUID user = userId(rawUserId);
    TeamRole removed =
        jdbi.inTransaction(h -> {
          Locked locked = lockedTarget(h, member, user);
          TeamRole current = locked.target();
          if (current == TeamRole.OWNER) {
            requireOwner(locked.caller(), "remove an owner");
            if (IdentityRepository.owners(h, member.teamId()) <= 1) {
              throw new ApiException(
                  ErrorCode.LAST_OWNER, "This is the team's only owner: make another owner first.");
            }
          }
          // Invitations they sent would let them, or whom they chose, back in. Before the user row
          // goes: deleting it clears invited_by.
          InvitationRepository.revokeInvitedBy(h, member.teamId(), user);
          IdentityRepository.removeMember(h, member.teamId(), user);
          return current;
        });
    record(
        member,
        AuditKind.TEAM_MEMBER_REMOVED,
        "Member removed",
        Map.of("user_id", user.toString(), "role", removed.wireName()),
        requestId);
    return new DeletedReply(true, "Member " + user + " removed; their API keys were revoked.");
  }

  /** The caller's and the target's roles, as the locks read them. */
  private record Locked(TeamRole caller, TeamRole target) {}

  /**
   * Takes the team row first (every membership change in a team takes the same lock), then reads
   * the caller's own role again under it: a caller demoted or removed while this request waited
   * acts with what they hold now, never with what they held when it was authenticated.
   */
  private static Locked lockedTarget(Handle h, Caller.Member member, UUID user) {
    IdentityRepository.lockPlan(h, member.teamId());
    TeamRole caller = callerRoleNow(h, member);
    TeamRole target =
        IdentityRepository.lockMember(h, member.teamId(), user)
            .orElseThrow(
                () -> new ApiException(ErrorCode.NOT_FOUND, "No such member in this team."));
    return new Locked(caller, target);
  }

  /** The caller's role under the team lock; a key made without a user keeps its admin role. */
  static TeamRole callerRoleNow(Handle h, Caller.Member member) {
    TeamRole role =
        member.userId().isEmpty()
            ? member.role()
            : IdentityRepository.lockMember(h, member.teamId(), member.userId().get())
                .orElseThrow(() ->
                    new ApiException(ErrorCode.UNAUTHORIZED, "You are no longer in this team."));
    if (!role.atLeast(TeamRole.ADMIN)) {
      throw new ApiException(
          ErrorCode.FORBIDDEN_ROLE,
          "Your role in this team is " + role.wireName() + "; this needs admin or above.");
    }
    return role;
  }

  private static void requireOwner(TeamRole caller, String what) {
    if (caller != TeamRole.OWNER) {
      throw new ApiException(
          ErrorCode.FORBIDDEN_ROLE,
          "Your role in this team is " + caller.wireName() + "; only an owner may " + what + ".");
    }
  }

  private static UUID userId(String raw) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such member in this team.");
    }
  }

  private void record(
      Caller.Member member,
      AuditKind kind,
      String summary,
      Map<String, Object> metadata,
      RequestId requestId) {
    Map<String, Object> withActor = new LinkedHashMap<>(metadata);
    member.userId().ifPresent(u -> withActor.put("by_user_id", u.toString()));
    withActor.put("by", member.via());
    audit.record(
        new AuditEvent(
            Optional.of(member.teamId()),
            AuditEvent.Actor.USER,
            kind,
            Optional.empty(),
            Optional.empty(),
            summary,
            withActor,
            Optional.of(requestId.value())));
  }
}
