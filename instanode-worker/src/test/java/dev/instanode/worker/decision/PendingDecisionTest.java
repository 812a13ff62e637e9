package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceType;
import dev.instanode.worker.decision.PendingDecision.Probe;
import dev.instanode.worker.decision.PendingDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class PendingDecisionTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Instant OLD = NOW.minus(Duration.ofMinutes(6));

  private static PendingDecision.Facts pending(Instant createdAt, boolean credentials) {
    return new PendingDecision.Facts(ResourceStatus.PENDING, createdAt, credentials);
  }

  @Test
  void aProvisionInsideTheGraceIsNeverTouched() {
    for (Probe probe : Probe.values()) {
      for (boolean credentials : new boolean[] {true, false}) {
        var young = pending(NOW.minus(Duration.ofMinutes(5)), credentials);
        assertThat(PendingDecision.classify(young, probe, NOW)).isEqualTo(Verdict.NOT_STUCK);
        assertThat(PendingDecision.needsProbe(young, NOW)).isFalse();
      }
    }
  }

  @Test
  void aRowThatIsNoLongerPendingIsNotStuck() {
    for (ResourceStatus status : EnumSet.complementOf(EnumSet.of(ResourceStatus.PENDING))) {
      var f = new PendingDecision.Facts(status, OLD, true);
      assertThat(PendingDecision.classify(f, Probe.PRESENT, NOW)).isEqualTo(Verdict.NOT_STUCK);
    }
  }

  @Test
  void withoutStoredCredentialsItIsTornDownWithoutAProbe() {
    var f = pending(OLD, false);
    assertThat(PendingDecision.needsProbe(f, NOW)).isFalse();
    for (Probe probe : Probe.values()) {
      assertThat(PendingDecision.classify(f, probe, NOW)).isEqualTo(Verdict.TEAR_DOWN);
    }
  }

  @Test
  void withStoredCredentialsTheProbeDecides() {
    var f = pending(OLD, true);
    assertThat(PendingDecision.needsProbe(f, NOW)).isTrue();
    assertThat(PendingDecision.classify(f, Probe.PRESENT, NOW)).isEqualTo(Verdict.ACTIVATE);
    assertThat(PendingDecision.classify(f, Probe.ABSENT, NOW)).isEqualTo(Verdict.TEAR_DOWN);
    assertThat(PendingDecision.classify(f, Probe.UNKNOWN, NOW)).isEqualTo(Verdict.WAIT);
    assertThat(PendingDecision.classify(f, Probe.NOT_PROBED, NOW)).isEqualTo(Verdict.WAIT);
  }

  @Test
  void zeroBytesProvesAbsenceOnlyForPostgres() {
    assertThat(Probe.fromStorageBytes(ResourceType.POSTGRES, 0)).isEqualTo(Probe.ABSENT);
    assertThat(Probe.fromStorageBytes(ResourceType.REDIS, 0)).isEqualTo(Probe.UNKNOWN);
    for (ResourceType type : ResourceType.values()) {
      assertThat(Probe.fromStorageBytes(type, 1)).isEqualTo(Probe.PRESENT);
    }
  }
}
