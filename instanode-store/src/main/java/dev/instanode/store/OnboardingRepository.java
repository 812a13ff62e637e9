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
  /** How many earlier resources one onboarding token carries forward. */
  public static final int MAX_CARRIED = 99;

  private final Jdbi jdbi;

  public OnboardingRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public record Event(
      UUID jti, String fingerprint, List<ResourceToken> tokens, Optional<Instant> convertedAt) {}

  /**
   * Records an onboarding token listing {@code received} (the resource of the response it rides in)
   * after whichever of {@code carried} are still live and anonymous, at most {@value #MAX_CARRIED}
   * of them, newest kept. Returns the list, oldest first: the same statement reads and writes it,
   * so the token signed for the caller names exactly what the row lets it claim.
   *
   * @param carried tokens listed by earlier onboarding tokens the caller sent back, which it
   *     therefore provably received
   */
  public List<ResourceToken> record(
      UUID jti,
      String fingerprint,
      List<ResourceToken> carried,
      ResourceToken received,
      Instant issued,
      Instant expires) {
    if (carried.isEmpty()) {
      // Every provision without an earlier token: one plain insert, nothing to look up.
      jdbi.useHandle(h ->
          h.createUpdate(
                  "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens, jwt_issued_at,"
                      + " jwt_expires_at) VALUES (:jti, :fp, ARRAY[CAST(:received AS uuid)],"
                      + " :issued, :expires)")
              .bind("jti", jti)
              .bind("fp", fingerprint)
              .bind("received", received.value())
              .bind("issued", Timestamp.from(issued))
              .bind("expires", Timestamp.from(expires))
              .execute());
      return List.of(received);
    }
    return jdbi.withHandle(h ->
        h.createQuery(
                "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens, jwt_issued_at,"
                    + " jwt_expires_at) VALUES (:jti, :fp, ARRAY(SELECT token FROM (SELECT token,"
                    + " created_at FROM resources WHERE token = ANY(:carried) AND token <> :received"
                    + " AND "
                    + ResourceRepository.LIVE_ANONYMOUS
                    + " ORDER BY created_at DESC LIMIT :max) live ORDER BY created_at)"
                    + " || CAST(:received AS uuid), :issued, :expires) RETURNING resource_tokens")
            .bind("jti", jti)
            .bind("fp", fingerprint)
            .bindArray("carried", UUID.class, carried.stream().map(ResourceToken::value).toList())
            .bind("received", received.value())
            .bind("max", MAX_CARRIED)
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
