package dev.instanode.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A key's name is checked before the team is read or a key minted (no database here). */
class IdentityServiceRulesTest {
  private final IdentityService service =
      new IdentityService(null, null, Clock.systemUTC(), Duration.ofDays(90));
  private final Caller.Member member =
      new Caller.Member(
          new Fingerprint("fp"),
          new TeamId(UUID.randomUUID()),
          Optional.of(UUID.randomUUID()),
          "session",
          Caller.Member.ALL_SCOPES,
          Optional.empty(),
          TeamRole.OWNER,
          Optional.of("jti"),
          Optional.empty());

  @Test
  void aKeyNeedsANameThatIsNotBlank() {
    assertThat(code(Optional.empty())).isEqualTo(ErrorCode.NAME_REQUIRED);
    assertThat(code(Optional.of("  "))).isEqualTo(ErrorCode.NAME_REQUIRED);
  }

  @Test
  void aKeyNameWithInvisibleCharactersIsInvalid() {
    assertThat(code(Optional.of("ci\u202ekey"))).isEqualTo(ErrorCode.INVALID_NAME);
  }

  private ErrorCode code(Optional<String> name) {
    return catchThrowableOfType(
            ApiException.class,
            () ->
                service.createApiKey(
                    member, new ApiKeyRequest(name, Optional.empty()), RequestId.random()))
        .code();
  }
}
