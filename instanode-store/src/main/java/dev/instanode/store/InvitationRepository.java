package dev.instanode.store;

import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@code team_invitations}: who was asked to join which team, with what role. */
public final class InvitationRepository {
  private static final String COLUMNS =
      "id, team_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at";

  private final Jdbi jdbi;

  public InvitationRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** An invitation; never its token, of which only the hash is kept. */
  public record Invitation(
      UUID id,
      TeamId teamId,
      String email,
      TeamRole role,
      Optional<UUID> invitedBy,
      Instant createdAt,
      Instant expiresAt,
      Optional<Instant> acceptedAt,
      Optional<Instant> revokedAt) {

    /** {@code pending}, {@code accepted}, {@code revoked} or {@code expired} at {@code now}. */
    public String status(Instant now) {
      if (acceptedAt.isPresent()) {
        return "accepted";
      }
      if (revokedAt.isPresent()) {
        return "revoked";
      }
      return now.isBefore(expiresAt) ? "pending" : "expired";
    }
  }

  /** Invitations that could still be accepted: they hold a seat until they lapse. */
  public static int pending(Handle h, TeamId team) {
    return h.createQuery(
            "SELECT count(*) FROM team_invitations WHERE team_id = :team AND accepted_at IS NULL"
                + " AND revoked_at IS NULL AND expires_at > now()")
        .bind("team", team.value())
        .mapTo(Integer.class)
        .one();
  }

  /** Revokes what is still open for this address: a new invitation replaces it. */
  public static int revokeOpen(Handle h, TeamId team, String email) {
    return h.createUpdate(
            "UPDATE team_invitations SET revoked_at = now() WHERE team_id = :team"
                + " AND lower(email) = lower(:email) AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind("team", team.value())
        .bind("email", email)
        .execute();
  }

  public static Invitation insert(
      Handle h,
      TeamId team,
      String email,
      TeamRole role,
      String tokenHash,
      Optional<UUID> invitedBy,
      Instant expiresAt) {
    return h.createQuery(
            "INSERT INTO team_invitations (team_id, email, role, token_hash, invited_by,"
                + " expires_at) VALUES (:team, :email, :role, :hash, :by, :expires) RETURNING "
                + COLUMNS)
        .bind("team", team.value())
        .bind("email", email)
        .bind("role", role.wireName())
        .bind("hash", tokenHash)
        .bind("by", invitedBy.orElse(null))
        .bind("expires", Timestamp.from(expiresAt))
        .map(InvitationRepository::invitation)
        .one();
  }

  /** The team's invitations, newest first, after the cursor ({@code created_at}, {@code id}). */
  public List<Invitation> list(TeamId team, Optional<ResourceRepository.Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        ResourceRepository.Keyset.bindAfter(
                h.createQuery(
                        "SELECT "
                            + COLUMNS
                            + " FROM team_invitations WHERE team_id = :team"
                            + " AND (CAST(:at AS timestamptz) IS NULL OR (created_at, id) < (:at, :id))"
                            + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                    .bind("team", team.value()),
                after)
            .bind("limit", limit)
            .map(InvitationRepository::invitation)
            .list());
  }

  /** Revokes one of the team's open invitations; false when there is none such. */
  public boolean revoke(TeamId team, UUID id) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE team_invitations SET revoked_at = now() WHERE id = :id"
                    + " AND team_id = :team AND accepted_at IS NULL AND revoked_at IS NULL")
            .bind("id", id)
            .bind("team", team.value())
            .execute())
        == 1;
  }

  /** The invitation with this token hash, locked for its acceptance in the caller's transaction. */
  public static Optional<Invitation> lockByHash(Handle h, String tokenHash) {
    LockTimeouts.setLocal(h, Duration.ofSeconds(3));
    return h.createQuery(
            "SELECT " + COLUMNS + " FROM team_invitations WHERE token_hash = :hash FOR UPDATE")
        .bind("hash", tokenHash)
        .map(InvitationRepository::invitation)
        .findOne();
  }

  public static void markAccepted(Handle h, UUID id, UUID user) {
    h.createUpdate(
            "UPDATE team_invitations SET accepted_at = now(), accepted_user_id = :user"
                + " WHERE id = :id")
        .bind("id", id)
        .bind("user", user)
        .execute();
  }

  /** Revokes the open invitations a member sent, when they leave or lose the power to invite. */
  public static int revokeInvitedBy(Handle h, TeamId team, UUID user) {
    return h.createUpdate(
            "UPDATE team_invitations SET revoked_at = now() WHERE team_id = :team"
                + " AND invited_by = :user AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind("team", team.value())
        .bind("user", user)
        .execute();
  }

  /** Every invitation of a team being tombstoned: they name people's addresses. */
  public static void deleteAll(Handle h, TeamId team) {
    h.createUpdate("DELETE FROM team_invitations WHERE team_id = :team")
        .bind("team", team.value())
        .execute();
  }

  private static Invitation invitation(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Invitation(
        rs.getObject("id", UUID.class),
        new TeamId(rs.getObject("team_id", UUID.class)),
        rs.getString("email"),
        TeamRole.fromStored(rs.getString("role")),
        Optional.ofNullable(rs.getObject("invited_by", UUID.class)),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("expires_at").toInstant(),
        Optional.ofNullable(rs.getTimestamp("accepted_at")).map(Timestamp::toInstant),
        Optional.ofNullable(rs.getTimestamp("revoked_at")).map(Timestamp::toInstant));
  }
}
