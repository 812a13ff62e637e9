package dev.instanode.api.claim;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.auth.HmacJwt;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The 7-day, single-use token an anonymous provision hands out to claim its resources. Its audience
 * differs from session tokens', so one can never be used as the other.
 */
public final class OnboardingTokens {
  public static final Duration LIFETIME = Duration.ofDays(7);
  static final String AUDIENCE = "instanode:onboarding";

  private final HmacJwt jwt;

  public OnboardingTokens(HmacJwt jwt) {
    this.jwt = jwt;
  }

  public String issue(UUID jti, String fingerprint, List<ResourceToken> tokens) {
    return jwt.sign(
        new JWTClaimsSet.Builder()
            .jwtID(jti.toString())
            .audience(AUDIENCE)
            .claim("fp", fingerprint)
            .claim("tok", tokens.stream().map(ResourceToken::toString).toList()),
        LIFETIME);
  }

  public record Onboarding(
      UUID jti, String fingerprint, List<ResourceToken> tokens, Instant expiresAt) {}

  public Optional<Onboarding> verify(String token) {
    return jwt.verify(token, Optional.of(AUDIENCE))
        .flatMap(claims -> {
          try {
            List<ResourceToken> tokens =
                claims.getStringListClaim("tok").stream()
                    .map(t -> ResourceToken.parse(t).orElseThrow())
                    .toList();
            return Optional.of(
                new Onboarding(
                    UUID.fromString(claims.getJWTID()),
                    claims.getStringClaim("fp"),
                    tokens,
                    claims.getExpirationTime().toInstant()));
          } catch (ParseException | RuntimeException e) {
            return Optional.empty();
          }
        });
  }
}
