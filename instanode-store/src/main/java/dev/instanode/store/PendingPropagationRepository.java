package dev.instanode.store;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code pending_propagations}: plan changes waiting to be pushed down to live resources. Every
 * statement on the table is here. A row is open until it is applied or dead-lettered, and each
 * settling update touches an open row only, so a row settled by another replica stays settled.
 */
public final class PendingPropagationRepository {
  private static final String OPEN = "applied_at IS NULL AND failed_at IS NULL";

  private final Jdbi jdbi;

  public PendingPropagationRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Queues the push of a team's new tier, in the caller's plan-change transaction. */
  public static void enqueueTierElevation(Handle h, TeamId team, Tier tier) {
    h.createUpdate(
            "INSERT INTO pending_propagations (kind, team_id, target_tier)"
                + " VALUES ('tier_elevation', :team, :tier)")
        .bind("team", team.value())
        .bind("tier", tier.wireName())
        .execute();
  }

  /**
   * Takes up to {@code limit} due open rows and leases them until {@code now + lease}, in the
   * caller's transaction: rows another transaction holds are skipped, not waited for, and a leased
   * row is not due again until its lease ends, so a replica that dies mid-run costs it no attempt.
   */
  public List<PendingPropagation> pickDue(Handle h, Instant now, int limit, Duration lease) {
    List<PendingPropagation> rows =
        h.createQuery(
                "SELECT id, kind, team_id, target_tier, attempts FROM pending_propagations"
                    + " WHERE "
                    + OPEN
                    + " AND next_attempt_at <= :now"
                    + " ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT :limit")
            .bind("now", Timestamp.from(now))
            .bind("limit", limit)
            .map((rs, ctx) ->
                new PendingPropagation(
                    rs.getObject("id", UUID.class),
                    rs.getString("kind"),
                    new TeamId(rs.getObject("team_id", UUID.class)),
                    rs.getString("target_tier"),
                    rs.getInt("attempts")))
            .list();
    if (!rows.isEmpty()) {
      h.createUpdate(
              "UPDATE pending_propagations SET next_attempt_at = :lease, last_attempt_at = :now"
                  + " WHERE id = ANY(:ids)")
          .bind("lease", Timestamp.from(now.plus(lease)))
          .bind("now", Timestamp.from(now))
          .bindArray("ids", UUID.class, rows.stream().map(PendingPropagation::id).toList())
          .execute();
    }
    return rows;
  }

  /** True when this call settled the row; false when it was already settled. */
  public boolean markApplied(UUID id, Instant now) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE pending_propagations SET applied_at = :now, last_error = NULL"
                    + " WHERE id = :id AND "
                    + OPEN)
            .bind("now", Timestamp.from(now))
            .bind("id", id)
            .execute())
        == 1;
  }

  /** Records a failed attempt and when to try again; false when the row was already settled. */
  public boolean retryLater(UUID id, int attempts, String error, Instant nextAttemptAt) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE pending_propagations SET attempts = :attempts, last_error = :error,"
                    + " next_attempt_at = :next WHERE id = :id AND "
                    + OPEN)
            .bind("attempts", attempts)
            .bind("error", error)
            .bind("next", Timestamp.from(nextAttemptAt))
            .bind("id", id)
            .execute())
        == 1;
  }

  /** Dead-letters the row; false when it was already settled. */
  public boolean markFailed(UUID id, int attempts, String error, Instant now) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                "UPDATE pending_propagations SET attempts = :attempts, last_error = :error,"
                    + " failed_at = :now WHERE id = :id AND "
                    + OPEN)
            .bind("attempts", attempts)
            .bind("error", error)
            .bind("now", Timestamp.from(now))
            .bind("id", id)
            .execute())
        == 1;
  }
}
