package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.worker.decision.StuckDeployDecision.ServicePods;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StuckDeployDecisionTest {
  private static Optional<String> classify(List<String> expected, ServicePods... live) {
    return StuckDeployDecision.classify(expected, Optional.of(List.of(live)));
  }

  @Test
  void everyPodUnableToPullOrCrashingIsStuckWithTheDominantReason() {
    assertThat(
            classify(
                List.of("web", "api"),
                new ServicePods("web", 0, List.of("ImagePullBackOff", "ImagePullBackOff")),
                new ServicePods("api", 0, List.of("CrashLoopBackOff"))))
        .contains("ImagePullBackOff");
    assertThat(
            classify(
                List.of("web"),
                new ServicePods("web", 0, List.of("ErrImagePull", "CrashLoopBackOff"))))
        .as("a tie is settled by name, so the verdict is stable")
        .contains("CrashLoopBackOff");
  }

  @Test
  void anyPodThatIsNotStuckLeavesTheStackAlone() {
    assertThat(
            classify(
                List.of("web", "api"),
                new ServicePods("web", 0, List.of("ImagePullBackOff")),
                new ServicePods("api", 0, List.of("ContainerCreating"))))
        .as("a pod still starting")
        .isEmpty();
    assertThat(
            classify(
                List.of("web", "api"),
                new ServicePods("web", 0, List.of("ImagePullBackOff")),
                new ServicePods("api", 1, List.of())))
        .as("a service running")
        .isEmpty();
    assertThat(classify(List.of("web"), new ServicePods("web", 1, List.of("CrashLoopBackOff"))))
        .as("one replica available, another crashing")
        .isEmpty();
  }

  @Test
  void noPodsNoReasonsOrNoNamespaceLeaveTheStackAlone() {
    assertThat(classify(List.of("web"), new ServicePods("web", 0, List.of()))).isEmpty();
    assertThat(classify(List.of("web", "api"), new ServicePods("web", 0, List.of("ErrImagePull"))))
        .as("a service not applied yet")
        .isEmpty();
    assertThat(StuckDeployDecision.classify(List.of("web"), Optional.empty())).isEmpty();
    assertThat(classify(List.of())).isEmpty();
  }
}
