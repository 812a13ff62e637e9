package dev.instanode.store;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.names.StackSlug;
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
      UUID jti,
      String fingerprint,
      List<ResourceToken> tokens,
      List<StackSlug> stacks,
      Optional<Instant> convertedAt) {}

  /** What an onboarding token lists: resources and stacks, oldest first. */
  public record Listed(List<ResourceToken> tokens, List<StackSlug> stacks) {
    public Listed {
      tokens = List.copyOf(tokens);
      stacks = List.copyOf(stacks);
    }
  }

  /**
   * Records an onboarding token listing what the response it rides in delivered ({@code received})
   * after whichever of {@code carried} resources are still live and anonymous, at most {@value
   * #MAX_CARRIED} of them, newest kept. Returns the list, oldest first: the same statement reads
   * and writes it, so the token signed for the caller names exactly what the row lets it claim.
   *
   * @param carried tokens listed by earlier onboarding tokens the caller sent back, which it
   *     therefore provably received
   * @param received the resource just made, if it was one
   * @param stacks the stacks it lists: those carried that are still live and anonymous (the caller
   *     checks that, with the stacks' repository) and the stack just made, if it was one
   */
  public Listed record(
      UUID jti,
      String fingerprint,
      List<ResourceToken> carried,
      Optional<ResourceToken> received,
      List<StackSlug> stacks,
      Instant issued,
      Instant expires) {
    List<String> slugs = stacks.stream().map(StackSlug::value).toList();
    if (carried.isEmpty()) {
      // Every provision without an earlier token: one plain insert, nothing to look up.
      jdbi.useHandle(h ->
          h.createUpdate(
                  "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens, stack_slugs,"
                      + " jwt_issued_at, jwt_expires_at) VALUES (:jti, :fp, :received, :stacks,"
                      + " :issued, :expires)")
              .bind("jti", jti)
              .bind("fp", fingerprint)
              .bindArray(
                  "received", UUID.class, received.map(ResourceToken::value).stream().toList())
              .bindArray("stacks", String.class, slugs)
              .bind("issued", Timestamp.from(issued))
              .bind("expires", Timestamp.from(expires))
              .execute());
      return new Listed(received.stream().toList(), stacks);
    }
    List<ResourceToken> tokens =
        jdbi.withHandle(h ->
            h.createQuery(
                    "INSERT INTO onboarding_events (jti, fingerprint, resource_tokens, stack_slugs,"
                        + " jwt_issued_at, jwt_expires_at) VALUES (:jti, :fp, ARRAY(SELECT token"
                        + " FROM (SELECT token, created_at FROM resources WHERE token ="
                        + " ANY(:carried) AND token IS DISTINCT FROM CAST(:received AS uuid) AND "
                        + ResourceRepository.LIVE_ANONYMOUS
                        + " ORDER BY created_at DESC LIMIT :max) live ORDER BY created_at)"
                        + " || CAST(:receivedList AS uuid[]), :stacks, :issued, :expires)"
                        + " RETURNING resource_tokens")
                .bind("jti", jti)
                .bind("fp", fingerprint)
                .bindArray(
                    "carried", UUID.class, carried.stream().map(ResourceToken::value).toList())
                .bind("received", received.map(ResourceToken::value).orElse(null))
                .bindArray(
                    "receivedList",
                    UUID.class,
                    received.map(ResourceToken::value).stream().toList())
                .bind("max", MAX_CARRIED)
                .bindArray("stacks", String.class, slugs)
                .bind("issued", Timestamp.from(issued))
                .bind("expires", Timestamp.from(expires))
                .map((rs, ctx) -> tokens(rs.getArray("resource_tokens")))
                .one());
    return new Listed(tokens, stacks);
  }

  public Optional<Event> find(UUID jti) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT jti, fingerprint, resource_tokens, stack_slugs, converted_at FROM"
                    + " onboarding_events WHERE jti = :jti")
            .bind("jti", jti)
            .map((rs, ctx) ->
                new Event(
                    rs.getObject("jti", UUID.class),
                    rs.getString("fingerprint"),
                    tokens(rs.getArray("resource_tokens")),
                    Arrays.stream((String[]) rs.getArray("stack_slugs").getArray())
                        .map(StackSlug::new)
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

  private static List<ResourceToken> tokens(Array array) throws SQLException {
    return Arrays.stream((UUID[]) array.getArray()).map(ResourceToken::new).toList();
  }
}
