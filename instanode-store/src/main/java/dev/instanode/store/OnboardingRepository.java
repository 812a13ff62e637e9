package dev.instanode.store;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
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

  public void record(
      UUID jti, String fingerprint, List<ResourceToken> tokens, Instant issued, Instant expires) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens,"
                    + " jwt_issued_at, jwt_expires_at) VALUES (:jti, :fp, :tokens, :issued,"
                    + " :expires)")
            .bind("jti", jti)
            .bind("fp", fingerprint)
            .bind("tokens", tokens.stream().map(ResourceToken::value).toArray(UUID[]::new))
            .bind("issued", Timestamp.from(issued))
            .bind("expires", Timestamp.from(expires))
            .execute());
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
                    Arrays.stream((UUID[]) rs.getArray("resource_tokens").getArray())
                        .map(ResourceToken::new)
                        .toList(),
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
}
