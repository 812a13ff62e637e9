package dev.instanode.store;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@code onboarding_events}: one row per onboarding token, consumed at most once. */
public final class OnboardingRepository {
  private final Jdbi jdbi;

  public OnboardingRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public record Event(
      UUID jti, String fingerprint, List<ResourceToken> tokens, Optional<Instant> convertedAt) {}

  /**
   * Records a token for every live anonymous resource of {@code fingerprint}, oldest first, and
   * returns that list: the same statement reads and writes it, so the token signed for the caller
   * names exactly what the event row lets it claim.
   */
  public List<ResourceToken> recordForLiveAnonymous(
      UUID jti, String fingerprint, Instant issued, Instant expires) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens,"
                    + " jwt_issued_at, jwt_expires_at) SELECT :jti, :fp,"
                    + " COALESCE(array_agg(token ORDER BY created_at), '{}'), :issued, :expires"
                    + " FROM resources WHERE "
                    + ResourceRepository.LIVE_ANONYMOUS_OF_FP
                    + " RETURNING resource_tokens")
            .bind("jti", jti)
            .bind("fp", fingerprint)
            .bind("issued", Timestamp.from(issued))
            .bind("expires", Timestamp.from(expires))
            .map((rs, ctx) -> tokens(rs.getArray("resource_tokens")))
            .one());
  }

  public Optional<Event> find(UUID jti) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT jti, fingerprint, resource_tokens, converted_at FROM onboarding_events"
                    + " WHERE jti = :jti")
            .bind("jti", jti)
            .map((rs, ctx) ->
                new Event(
                    rs.getObject("jti", UUID.class),
                    rs.getString("fingerprint"),
                    tokens(rs.getArray("resource_tokens")),
                    Optional.ofNullable(rs.getTimestamp("converted_at")).map(Timestamp::toInstant)))
            .findOne());
  }

  /** The single-use gate: true for exactly one caller, however many race. */
  public boolean consume(Handle h, UUID jti, TeamId team) {
    return h.createUpdate(
                "UPDATE onboarding_events SET converted_at = now(), team_id = :team"
                    + " WHERE jti = :jti AND converted_at IS NULL")
            .bind("team", team.value())
            .bind("jti", jti)
            .execute()
        == 1;
  }

  private static List<ResourceToken> tokens(Array array) throws SQLException {
    return Arrays.stream((UUID[]) array.getArray()).map(ResourceToken::new).toList();
  }
}
