package dev.instanode.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {
  @Test
  void productionRescueBoundIsTwentyFiveMinutesAndReallyBoundsTheRescue() {
    WorkerSettings d = WorkerSettings.defaults();
    assertThat(d.rescueAfter()).isEqualTo(Duration.ofMinutes(25));
    assertThat(d.heartbeatInterval()).isEqualTo(Duration.ofSeconds(150));
    assertThat(d.worstCaseRescue()).isLessThanOrEqualTo(d.rescueAfter());
    // Strictly better than the 1h20m the original's queue would have defaulted to.
    assertThat(d.rescueAfter()).isLessThan(Duration.ofMinutes(80));
  }

  @Test
  void jobTimeoutIsShorterThanTheRescueSoTheRescuerNeverRacesATimeout() {
    WorkerSettings d = WorkerSettings.defaults();
    assertThat(d.jobTimeout()).isEqualTo(Duration.ofMinutes(20)).isLessThan(d.rescueAfter());
    assertThatThrownBy(() ->
            d.withTiming(
                Duration.ofMinutes(10),
                Duration.ofMinutes(10),
                d.shutdownDrain(),
                d.pollInterval()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than the rescue bound");
  }

  @Test
  void shutdownDrainsThirtySecondsAndTheDestructiveReapersAreOffByDefault() {
    WorkerSettings d = WorkerSettings.defaults();
    assertThat(d.shutdownDrain()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.poolOrphanReapDestructive()).isFalse();
    assertThat(d.orphanSweep().destructive()).isFalse();
    assertThat(d.orphanSweep().grace()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theOrphanSweepNeverRunsOnStartAndEveryFifteenMinutes() {
    assertThat(JobKind.ORPHAN_SWEEP.jobName()).isEqualTo("orphan_sweep");
    assertThat(JobKind.ORPHAN_SWEEP.runOnStart())
        .as("a fresh replica must not open with a destructive sweep")
        .isFalse();
    assertThat(WorkerSettings.defaults().interval(JobKind.ORPHAN_SWEEP))
        .isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void theOrphanSweepsFlagAndGraceAreReadAndAGraceTooShortToBeSafeIsRefused() {
    WorkerSettings s =
        WorkerSettings.fromEnvironment(
            Map.of("ORPHAN_SWEEP_DESTRUCTIVE", "true", "ORPHAN_SWEEP_GRACE", "2h"));
    assertThat(s.orphanSweep().destructive()).isTrue();
    assertThat(s.orphanSweep().grace()).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> WorkerSettings.fromEnvironment(Map.of("ORPHAN_SWEEP_GRACE", "30s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORPHAN_SWEEP_GRACE must be at least 10m");
  }

  @Test
  void theOrphanDbSweepIsOffAuditOnlyHourlyAndNeverOnStart() {
    WorkerSettings d = WorkerSettings.defaults();
    assertThat(d.orphanDbSweep().enabled()).isFalse();
    assertThat(d.orphanDbSweep().destructive()).isFalse();
    assertThat(JobKind.ORPHAN_DB_SWEEP.jobName()).isEqualTo("orphan_db_sweep");
    assertThat(JobKind.ORPHAN_DB_SWEEP.runOnStart()).isFalse();
    assertThat(d.interval(JobKind.ORPHAN_DB_SWEEP)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theOrphanDbSweepsFlagsAreReadAndArmOnlyTogether() {
    WorkerSettings destructiveAlone =
        WorkerSettings.fromEnvironment(Map.of("ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED", "true"));
    assertThat(destructiveAlone.orphanDbSweep().destructive()).isTrue();
    assertThat(destructiveAlone.orphanDbSweep().armed()).isFalse();
    WorkerSettings both =
        WorkerSettings.fromEnvironment(
            Map.of(
                "ORPHAN_DB_SWEEP_ENABLED", "true",
                "ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED", "true",
                "INSTANODE_JOB_ORPHAN_DB_SWEEP_INTERVAL", "30m"));
    assertThat(both.orphanDbSweep().armed()).isTrue();
    assertThat(both.interval(JobKind.ORPHAN_DB_SWEEP)).isEqualTo(Duration.ofMinutes(30));
    assertThatThrownBy(
            () -> WorkerSettings.fromEnvironment(Map.of("ORPHAN_DB_SWEEP_ENABLED", "perhaps")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORPHAN_DB_SWEEP_ENABLED must be true or false");
  }

  @Test
  void everyJobHasItsDefaultInterval() {
    WorkerSettings d = WorkerSettings.defaults();
    for (JobKind kind : JobKind.values()) {
      assertThat(d.interval(kind)).isEqualTo(kind.defaultInterval());
    }
    assertThat(d.interval(JobKind.EXPIRE_ANONYMOUS)).isEqualTo(Duration.ofHours(1));
    assertThat(d.interval(JobKind.PROVISIONER_RECONCILER)).isEqualTo(Duration.ofMinutes(2));
    assertThat(d.interval(JobKind.PROPAGATION_RUNNER)).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.interval(JobKind.ENTITLEMENT_RECONCILER)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void readsEveryVariableFromTheEnvironment() {
    WorkerSettings s =
        WorkerSettings.fromEnvironment(
            Map.of(
                "INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "15s",
                "INSTANODE_JOB_PROPAGATION_RUNNER_INTERVAL", "10s",
                "INSTANODE_WORKER_RESCUE_AFTER", "10m",
                "INSTANODE_WORKER_JOB_TIMEOUT", "5m",
                "INSTANODE_WORKER_SHUTDOWN_DRAIN", "10s",
                "INSTANODE_WORKER_POLL_INTERVAL", "2s",
                "POOL_ORPHAN_REAP_DESTRUCTIVE", "true",
                "INSTANODE_WORKER_INSTANCE_NAME", "worker-a"));
    assertThat(s.interval(JobKind.EXPIRE_ANONYMOUS)).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.interval(JobKind.PROPAGATION_RUNNER)).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.interval(JobKind.ENTITLEMENT_RECONCILER)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.rescueAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.jobTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.shutdownDrain()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.poolOrphanReapDestructive()).isTrue();
    assertThat(s.instanceName()).isEqualTo("worker-a");
  }

  @Test
  void namesEveryBadVariableAtOnce() {
    assertThatThrownBy(() ->
            WorkerSettings.fromEnvironment(
                Map.of(
                    "INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "soon",
                    "POOL_ORPHAN_REAP_DESTRUCTIVE", "maybe")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL")
        .hasMessageContaining("POOL_ORPHAN_REAP_DESTRUCTIVE");
  }

  @Test
  void theVariableListCoversEveryJobAndIsUnique() {
    List<String> names = WorkerSettings.environmentVariables();
    assertThat(new HashSet<>(names)).hasSameSizeAs(names);
    for (JobKind kind : JobKind.values()) {
      assertThat(names).contains(kind.intervalEnvVar());
    }
    assertThat(names)
        .contains(
            "INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL",
            "INSTANODE_JOB_PROVISIONER_RECONCILER_INTERVAL",
            "INSTANODE_JOB_PROPAGATION_RUNNER_INTERVAL",
            "INSTANODE_JOB_ENTITLEMENT_RECONCILER_INTERVAL",
            "INSTANODE_JOB_POOL_ORPHAN_REAPER_INTERVAL",
            "POOL_ORPHAN_REAP_DESTRUCTIVE",
            "INSTANODE_JOB_ORPHAN_SWEEP_INTERVAL",
            "ORPHAN_SWEEP_DESTRUCTIVE",
            "ORPHAN_SWEEP_GRACE",
            "INSTANODE_JOB_ORPHAN_DB_SWEEP_INTERVAL",
            "ORPHAN_DB_SWEEP_ENABLED",
            "ORPHAN_DB_SWEEP_DESTRUCTIVE_ENABLED");
  }

  @Test
  void aPollSlowerThanAFifthOfTheRescueIsRefused() {
    WorkerSettings d = WorkerSettings.defaults();
    assertThatThrownBy(() ->
            d.withTiming(
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                d.shutdownDrain(),
                Duration.ofSeconds(3)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
