package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StackHealthTest {
  private static final List<String> WEB_AND_WORKER = List.of("web", "worker");

  private static LiveService up(String name) {
    return new LiveService(name, 1, 1, List.of());
  }

  @Test
  void everyDeploymentAvailableIsHealthy() {
    StackHealth.Verdict v =
        StackHealth.of(
            Optional.of(new LiveStack(List.of(up("web"), up("worker")))), WEB_AND_WORKER, false);
    assertThat(v.state()).isEqualTo(StackHealth.State.HEALTHY);
    assertThat(v.services()).allMatch(s -> s.reason().isEmpty());
  }

  @Test
  void aSimulatedClusterNeverReportsHealthy() {
    StackHealth.Verdict v =
        StackHealth.of(
            Optional.of(new LiveStack(List.of(up("web"), up("worker")))), WEB_AND_WORKER, true);
    assertThat(v.state()).isEqualTo(StackHealth.State.DEPLOYING);
    assertThat(v.services()).allMatch(s -> s.reason().orElseThrow().contains("simulated cluster"));
  }

  @Test
  void aPodStuckPullingOrCrashingFailsTheStackWithItsReason() {
    for (String reason : List.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff")) {
      StackHealth.Verdict v =
          StackHealth.of(
              Optional.of(
                  new LiveStack(
                      List.of(up("web"), new LiveService("worker", 1, 0, List.of(reason))))),
              WEB_AND_WORKER,
              false);
      assertThat(v.state()).as(reason).isEqualTo(StackHealth.State.FAILED);
      assertThat(v.services())
          .filteredOn(s -> s.name().equals("worker"))
          .singleElement()
          .satisfies(s -> assertThat(s.reason()).contains(reason));
    }
  }

  @Test
  void aPodStillStartingIsDeployingNotFailed() {
    StackHealth.Verdict v =
        StackHealth.of(
            Optional.of(
                new LiveStack(
                    List.of(
                        up("web"), new LiveService("worker", 1, 0, List.of("ContainerCreating"))))),
            WEB_AND_WORKER,
            false);
    assertThat(v.state()).isEqualTo(StackHealth.State.DEPLOYING);
  }

  @Test
  void aServiceNotAppliedYetIsDeploying() {
    StackHealth.Verdict v =
        StackHealth.of(Optional.of(new LiveStack(List.of(up("web")))), WEB_AND_WORKER, false);
    assertThat(v.state()).isEqualTo(StackHealth.State.DEPLOYING);
    assertThat(v.services().get(1).reason()).contains("not applied yet");
  }

  @Test
  void noNamespaceIsLost() {
    StackHealth.Verdict v = StackHealth.of(Optional.empty(), WEB_AND_WORKER, false);
    assertThat(v.state()).isEqualTo(StackHealth.State.LOST);
    assertThat(v.state().wireName()).isEqualTo("lost");
  }
}
