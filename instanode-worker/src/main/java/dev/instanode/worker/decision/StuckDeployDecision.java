package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether a stack that has been {@code deploying} for over 30 minutes is stuck for good: every
 * service it should run has no available replica and every reason its pods' containers wait is one
 * that will not fix itself (the image cannot be pulled, or the program keeps crashing). Anything
 * else (no pods yet, a pod starting, one running) leaves it alone.
 */
public final class StuckDeployDecision {
  /** The image cannot be pulled. */
  public static final Set<String> PULL =
      Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName");

  /** The container starts and dies, again and again. */
  public static final Set<String> CRASH = Set.of("CrashLoopBackOff");

  /**
   * One service as the cluster shows it.
   *
   * @param waitingReasons why its pods' containers wait, one entry per waiting container
   */
  public record ServicePods(String name, int availableReplicas, List<String> waitingReasons) {
    public ServicePods {
      requireNonNull(name, "name is null");
      waitingReasons = List.copyOf(waitingReasons);
    }
  }

  private StuckDeployDecision() {}

  /**
   * The dominant waiting reason (the most frequent; ties by name, so the verdict is stable) when
   * the stack is stuck; empty when it is not.
   *
   * @param expected the services the stack should run
   * @param live what the cluster shows; empty when its namespace does not exist
   */
  public static Optional<String> classify(List<String> expected, Optional<List<ServicePods>> live) {
    if (expected.isEmpty() || live.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Integer> reasons = new TreeMap<>();
    for (String name : expected) {
      Optional<ServicePods> service =
          live.get().stream().filter(s -> s.name().equals(name)).findFirst();
      if (service.isEmpty()
          || service.get().availableReplicas() > 0
          || service.get().waitingReasons().isEmpty()) {
        return Optional.empty();
      }
      for (String reason : service.get().waitingReasons()) {
        if (!PULL.contains(reason) && !CRASH.contains(reason)) {
          return Optional.empty();
        }
        reasons.merge(reason, 1, Integer::sum);
      }
    }
    return reasons.entrySet().stream()
        .max(
            Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey);
  }
}
