package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.worker.decision.LimitsDecision.Limits;
import dev.instanode.worker.decision.LimitsDecision.Measured;
import dev.instanode.worker.decision.LimitsDecision.Verdict;
import dev.instanode.worker.decision.LimitsDecision.Writes;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitsDecisionTest {
  private static final Limits TEN_MB_TWO_CONNECTIONS = new Limits(10_000_000, 2);

  private static Verdict decide(long bytes, int connections, boolean blocked, boolean complete) {
    return LimitsDecision.decide(
        TEN_MB_TWO_CONNECTIONS,
        Optional.of(new Measured(bytes, connections, blocked)),
        complete,
        false);
  }

  @Test
  void overItsLimitWithWritesAllowedItIsBlocked() {
    Verdict v = decide(10_000_001, 1, false, true);
    assertThat(v.writes()).isEqualTo(Writes.BLOCK);
    assertThat(v.writesBlocked()).isTrue();
    assertThat(v.storageBytes()).contains(10_000_001L);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aLowerBoundOverTheLimitIsProofEnoughToBlock(boolean complete) {
    assertThat(decide(20_000_000, 1, false, complete).writes()).isEqualTo(Writes.BLOCK);
  }

  @Test
  void atTheLimitExactlyItIsNotOver() {
    assertThat(decide(10_000_000, 1, false, true).writes()).isEqualTo(Writes.KEEP);
  }

  @Test
  void backUnderItsLimitItsWritesComeBackOnlyOnACompleteMeasurement() {
    assertThat(decide(5, 1, true, true).writes()).isEqualTo(Writes.RESTORE);
    assertThat(decide(5, 1, true, true).writesBlocked()).isFalse();
    Verdict partial = decide(5, 1, true, false);
    assertThat(partial.writes())
        .as("a lower bound under the limit proves nothing")
        .isEqualTo(Writes.KEEP);
    assertThat(partial.writesBlocked()).isTrue();
    assertThat(partial.storageBytes()).isEmpty();
  }

  @Test
  void stillOverAndAlreadyBlockedNeedsNothing() {
    Verdict v = decide(20_000_000, 1, true, true);
    assertThat(v.writes()).isEqualTo(Writes.KEEP);
    assertThat(v.writesBlocked()).isTrue();
    assertThat(v.needsEnforcing()).isFalse();
  }

  @Test
  void connectionsOverTheCapAreClosedWhateverTheStorage() {
    Verdict v = decide(5, 3, false, true);
    assertThat(v.closeConnections()).isTrue();
    assertThat(v.writes()).isEqualTo(Writes.KEEP);
    assertThat(v.writesBlocked()).as("closing connections leaves writes alone").isFalse();
    assertThat(v.needsEnforcing()).isTrue();
    assertThat(decide(5, 2, false, true).closeConnections()).isFalse();
  }

  @Test
  void unlimitedPlansAreNeverBlockedNorTrimmed() {
    Verdict v =
        LimitsDecision.decide(
            new Limits(-1, -1),
            Optional.of(new Measured(Long.MAX_VALUE, 10_000, false)),
            true,
            true);
    assertThat(v.writes()).isEqualTo(Writes.KEEP);
    assertThat(v.closeConnections()).isFalse();
  }

  @Test
  void anUnlimitedPlanGivesBackWritesStoppedUnderAnOldOne() {
    Verdict v =
        LimitsDecision.decide(
            new Limits(-1, -1), Optional.of(new Measured(50, 0, true)), true, false);
    assertThat(v.writes()).isEqualTo(Writes.RESTORE);
  }

  @Test
  void noMeasurementDecidesNothingAndIsMissingOnlyWhenTheMeasurementWasComplete() {
    Verdict complete = LimitsDecision.decide(TEN_MB_TWO_CONNECTIONS, Optional.empty(), true, true);
    assertThat(complete.missing()).isTrue();
    assertThat(complete.needsEnforcing()).isFalse();
    assertThat(complete.storageBytes()).isEmpty();
    assertThat(
            LimitsDecision.decide(TEN_MB_TWO_CONNECTIONS, Optional.empty(), false, true).missing())
        .isFalse();
  }

  @Test
  void onlyWhenTheSharedServerIsShortOfRoomIsTheExcessOverThePlanShed() {
    Optional<Measured> over = Optional.of(new Measured(14_000_000, 1, true));
    assertThat(LimitsDecision.decide(TEN_MB_TWO_CONNECTIONS, over, true, false).shedExcess())
        .isFalse();
    Verdict pressed = LimitsDecision.decide(TEN_MB_TWO_CONNECTIONS, over, true, true);
    assertThat(pressed.shedExcess()).isTrue();
    assertThat(pressed.needsEnforcing()).isTrue();
    assertThat(pressed.writesBlocked()).isTrue();
    assertThat(
            LimitsDecision.decide(
                    TEN_MB_TWO_CONNECTIONS,
                    Optional.of(new Measured(9_000_000, 1, false)),
                    true,
                    true)
                .shedExcess())
        .as("a tenant within its plan keeps everything, whatever the pressure")
        .isFalse();
  }
}
