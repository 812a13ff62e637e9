package dev.instanode.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HmacJwtTest {
  private static final String SECRET = "s".repeat(32);
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");
  private final HmacJwt jwt = new HmacJwt(SECRET, Clock.fixed(now, ZoneOffset.UTC));

  @Test
  void roundTripsClaimsAndChecksTheAudience() {
    String token =
        jwt.sign(new JWTClaimsSet.Builder().subject("u1").audience("api"), Duration.ofHours(24));
    assertThat(jwt.verify(token, Optional.of("api")))
        .get()
        .extracting(JWTClaimsSet::getSubject)
        .isEqualTo("u1");
    assertThat(jwt.verify(token, Optional.of("other"))).isEmpty();
  }

  @Test
  void rejectsExpiredForgedAndUnsignedTokens() throws Exception {
    String token = jwt.sign(new JWTClaimsSet.Builder().subject("u1"), Duration.ofHours(1));
    HmacJwt later = new HmacJwt(SECRET, Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC));
    assertThat(later.verify(token, Optional.empty())).isEmpty();

    HmacJwt otherKey = new HmacJwt("x".repeat(32), Clock.fixed(now, ZoneOffset.UTC));
    assertThat(otherKey.verify(token, Optional.empty())).isEmpty();

    String unsigned =
        new PlainJWT(
                new JWTClaimsSet.Builder()
                    .subject("u1")
                    .expirationTime(Date.from(now.plusSeconds(60)))
                    .build())
            .serialize();
    assertThat(jwt.verify(unsigned, Optional.empty())).isEmpty();

    SignedJWT hs512 =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS512),
            new JWTClaimsSet.Builder()
                .subject("u1")
                .expirationTime(Date.from(now.plusSeconds(60)))
                .build());
    hs512.sign(new MACSigner("k".repeat(64)));
    assertThat(jwt.verify(hs512.serialize(), Optional.empty())).isEmpty();
    assertThat(jwt.verify("garbage", Optional.empty())).isEmpty();
  }

  @Test
  void apiKeysHaveTheDocumentedShapeAndHashDeterministically() {
    String key = ApiKeys.generate();
    assertThat(key).startsWith("ink_").hasSize(47).doesNotContain("=");
    assertThat(ApiKeys.looksLikeKey(key)).isTrue();
    assertThat(ApiKeys.hash(key))
        .hasSize(64)
        .isEqualTo(ApiKeys.hash(key))
        .isNotEqualTo(ApiKeys.hash(ApiKeys.generate()));
  }
}
