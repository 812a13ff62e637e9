package dev.instanode.api.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.instanode.api.wire.LegacyClaimRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The input rules refuse before anything is read: the service has no database here, so a rule that
 * reached one would fail with a NullPointerException instead of its code.
 */
class ResourceServiceRulesTest {
  private final ResourceService service =
      new ResourceService(
          null, null, null, null, null, Plans.bundled(), null, "https://up", LiveUsage.NONE);
  private final TeamId team = new TeamId(UUID.randomUUID());

  @Test
  void listRefusesAnEnvThatIsNotOne() {
    assertCode(
        () -> service.list(team, Optional.of("Prod"), Optional.empty(), Optional.empty()),
        ErrorCode.INVALID_ENV);
  }

  @Test
  void listRefusesALimitOutsideOneTo200() {
    for (String limit : new String[] {"0", "201", "ten"}) {
      assertCode(
          () -> service.list(team, Optional.empty(), Optional.of(limit), Optional.empty()),
          ErrorCode.INVALID_QUERY);
    }
  }

  @Test
  void listRefusesACursorItDidNotIssue() {
    assertCode(
        () ->
            service.list(team, Optional.of(" "), Optional.of(""), Optional.of("bm90IGEgY3Vyc29y")),
        ErrorCode.INVALID_QUERY);
  }

  @Test
  void legacyClaimWithoutATokenIsInvalidAndANonUuidOneDoesNotExist() {
    RequestId request = RequestId.random();
    assertCode(
        () -> service.claimOne(team, new LegacyClaimRequest(Optional.empty()), request),
        ErrorCode.INVALID_TOKEN);
    assertCode(
        () -> service.claimOne(team, new LegacyClaimRequest(Optional.of("nope")), request),
        ErrorCode.NOT_FOUND);
  }

  private static void assertCode(Runnable call, ErrorCode code) {
    assertThat(catchThrowableOfType(ApiException.class, call::run).code()).isEqualTo(code);
  }
}
