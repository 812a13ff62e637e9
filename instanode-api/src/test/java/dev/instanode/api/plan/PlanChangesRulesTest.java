package dev.instanode.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.instanode.api.wire.PlanChangeRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A plan change names a team plan, checked before the team is locked (no database here). */
class PlanChangesRulesTest {
  private final PlanChanges changes = new PlanChanges(null, Plans.bundled(), null);

  @ParameterizedTest
  @ValueSource(strings = {"", "anonymous", "platinum"})
  void onlyATeamPlanIsATarget(String tier) {
    assertThat(code(Optional.of(tier))).isEqualTo(ErrorCode.INVALID_TIER);
  }

  @Test
  void aMissingTierIsInvalid() {
    assertThat(code(Optional.empty())).isEqualTo(ErrorCode.INVALID_TIER);
  }

  private ErrorCode code(Optional<String> tier) {
    return catchThrowableOfType(
            ApiException.class,
            () ->
                changes.change(
                    new TeamId(UUID.randomUUID()), new PlanChangeRequest(tier), RequestId.random()))
        .code();
  }
}
