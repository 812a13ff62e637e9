package dev.instanode.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * HS256 only. Verification refuses any other algorithm (no "none", no RS/HS confusion), an expired
 * token, one issued in the future beyond a small skew, and a wrong audience.
 */
public final class HmacJwt {
  private static final Duration SKEW = Duration.ofSeconds(60);

  // Both are immutable once made (each call takes its own Mac), so one of each serves every thread.
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  public HmacJwt(String secret, Clock clock) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalArgumentException("JWT secrets must be at least 32 bytes");
    }
    try {
      this.signer = new MACSigner(bytes);
      this.verifier = new MACVerifier(bytes);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable JWT secret", e);
    }
    this.clock = clock;
  }

  public String sign(JWTClaimsSet.Builder claims, Duration lifetime) {
    Instant now = clock.instant();
    JWTClaimsSet set =
        claims.issueTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime))).build();
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), set);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
  }

  /** Empty when the token is malformed, forged, of another algorithm, expired or misaddressed. */
  public Optional<JWTClaimsSet> verify(String token, Optional<String> audience) {
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token.trim());
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (claims.getExpirationTime() == null
          || !now.isBefore(claims.getExpirationTime().toInstant())) {
        return Optional.empty();
      }
      if (claims.getIssueTime() != null
          && claims.getIssueTime().toInstant().isAfter(now.plus(SKEW))) {
        return Optional.empty();
      }
      if (audience.isPresent()
          && (claims.getAudience() == null || !claims.getAudience().contains(audience.get()))) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException | JOSEException | IllegalStateException e) {
      return Optional.empty();
    }
  }
}
