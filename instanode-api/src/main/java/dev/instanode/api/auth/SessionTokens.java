package dev.instanode.api.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.instanode.core.TeamId;
import dev.instanode.core.auth.HmacJwt;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** 24-hour HS256 session tokens: {@code uid, tid, email, jti, iat, exp, aud}. */
public final class SessionTokens {
  public static final Duration LIFETIME = Duration.ofHours(24);

  private final HmacJwt jwt;
  private final String audience;

  public SessionTokens(HmacJwt jwt, String audience) {
    this.jwt = jwt;
    this.audience = audience;
  }

  public String issue(UUID userId, TeamId teamId, String email) {
    return jwt.sign(
        new JWTClaimsSet.Builder()
            .claim("uid", userId.toString())
            .claim("tid", teamId.toString())
            .claim("email", email)
            .jwtID(UUID.randomUUID().toString())
            .audience(audience),
        LIFETIME);
  }

  /**
   * @param jti the token's id, which {@code POST /auth/logout} revokes
   */
  public record Session(UUID userId, TeamId teamId, String email, String jti, Instant expiresAt) {}

  public Optional<Session> verify(String token) {
    return jwt.verify(token, Optional.of(audience))
        .flatMap(claims -> {
          try {
            return Optional.of(
                new Session(
                    UUID.fromString(claims.getStringClaim("uid")),
                    new TeamId(UUID.fromString(claims.getStringClaim("tid"))),
                    claims.getStringClaim("email"),
                    requireNonNull(claims.getJWTID()),
                    claims.getExpirationTime().toInstant()));
          } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
          }
        });
  }
}
