package dev.instanode.api.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.instanode.api.wire.ClaimRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The checks that come before any token is verified, in the contract's order. The service has no
 * database or signer here, so a check that reached one would fail with a NullPointerException.
 */
class ClaimServiceRulesTest {
  private final ClaimService claims =
      new ClaimService(null, null, null, null, null, null, null, null, Clock.systemUTC());

  @Test
  void aPreviewWithoutATokenIsInvalid() {
    assertThat(code(() -> claims.preview(Optional.of(" ")))).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(code(() -> claims.preview(Optional.empty()))).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void aClaimNeedsATokenAndNoBlankOnes() {
    assertThat(code(() -> claim(Optional.empty(), Optional.empty(), "a@b.co")))
        .isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(code(() -> claim(Optional.of("jwt"), Optional.of(List.of("")), "a@b.co")))
        .isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void moreThanTheMaximumOfTokensIsRefusedBeforeTheEmailIsChecked() {
    ApiException e =
        catchThrowableOfType(
            ApiException.class,
            () ->
                claim(
                    Optional.empty(),
                    Optional.of(Collections.nCopies(ClaimService.MAX_CLAIM_TOKENS + 1, "jwt")),
                    "not-an-email"));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(e.getMessage()).contains("at most " + ClaimService.MAX_CLAIM_TOKENS);
  }

  @Test
  void theEmailIsCheckedBeforeAnyTokenIsVerified() {
    assertThat(code(() -> claim(Optional.of("jwt"), Optional.empty(), "not-an-email")))
        .isEqualTo(ErrorCode.INVALID_EMAIL);
  }

  private void claim(Optional<String> token, Optional<List<String>> tokens, String email) {
    claims.claim(
        new ClaimRequest(token, Optional.empty(), tokens, Optional.of(email), Optional.empty()),
        RequestId.random());
  }

  private static ErrorCode code(Runnable call) {
    return catchThrowableOfType(ApiException.class, call::run).code();
  }
}
