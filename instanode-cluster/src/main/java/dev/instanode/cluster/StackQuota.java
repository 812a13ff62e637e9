package dev.instanode.cluster;

/**
 * A tier's bounds on one stack's namespace: the ResourceQuota over all of it and the LimitRange
 * default for each container.
 *
 * @param cpuMillis CPU the namespace's containers may be granted in all (millicores)
 * @param memoryMb memory they may be granted in all
 * @param pods pods it may hold
 * @param containerCpuMillis each container's default CPU limit
 * @param containerMemoryMb each container's default memory limit
 */
public record StackQuota(
    int cpuMillis, int memoryMb, int pods, int containerCpuMillis, int containerMemoryMb) {
  public StackQuota {
    if (cpuMillis < 1
        || memoryMb < 1
        || pods < 1
        || containerCpuMillis < 1
        || containerMemoryMb < 1) {
      throw new IllegalArgumentException("every stack bound is positive");
    }
  }
}
