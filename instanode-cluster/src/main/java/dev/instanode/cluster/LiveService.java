package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One service as the cluster shows it now: its Deployment's replicas and why any of its pods'
 * containers are waiting ({@code ImagePullBackOff}, {@code CrashLoopBackOff}, ...).
 */
public record LiveService(
    String name, int desiredReplicas, int availableReplicas, List<String> waitingReasons) {
  public LiveService {
    requireNonNull(name, "name is null");
    waitingReasons = List.copyOf(requireNonNull(waitingReasons, "waitingReasons is null"));
  }
}
