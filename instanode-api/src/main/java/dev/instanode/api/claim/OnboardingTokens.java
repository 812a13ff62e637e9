package dev.instanode.api.claim;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.auth.HmacJwt;
import dev.instanode.core.names.StackSlug;
import dev.instanode.store.OnboardingRepository;
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

  public String issue(UUID jti, String fingerprint, OnboardingRepository.Listed listed) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .jwtID(jti.toString())
            .audience(AUDIENCE)
            .claim("fp", fingerprint)
            .claim("tok", listed.tokens().stream().map(ResourceToken::toString).toList());
    if (!listed.stacks().isEmpty()) {
      claims.claim("stk", listed.stacks().stream().map(StackSlug::value).toList());
    }
    return jwt.sign(claims, LIFETIME);
  }

  /**
   * @param stacks the stacks it is proof of receipt for (none in tokens issued before stacks)
   */
  public record Onboarding(
      UUID jti,
      String fingerprint,
      List<ResourceToken> tokens,
      List<StackSlug> stacks,
      Instant expiresAt) {}

  public Optional<Onboarding> verify(String token) {
    return jwt.verify(token, Optional.of(AUDIENCE))
        .flatMap(claims -> {
          try {
            List<ResourceToken> tokens =
                claims.getStringListClaim("tok").stream()
                    .map(t -> ResourceToken.parse(t).orElseThrow())
                    .toList();
            List<String> slugs = claims.getStringListClaim("stk");
            List<StackSlug> stacks =
                slugs == null ? List.of() : slugs.stream().map(StackSlug::new).toList();
            return Optional.of(
                new Onboarding(
                    UUID.fromString(claims.getJWTID()),
                    claims.getStringClaim("fp"),
                    tokens,
                    stacks,
                    claims.getExpirationTime().toInstant()));
          } catch (ParseException | RuntimeException e) {
            return Optional.empty();
          }
        });
  }
}
