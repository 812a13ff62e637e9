package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.StackCluster;
import dev.instanode.stacks.StackApplier;
import dev.instanode.stacks.StackObserver;
import dev.instanode.stacks.StackTeardown;

/**
 * What the stack routes act through when this instanode has a cluster; absent, every stack route
 * answers 503 {@code stacks_unavailable}.
 *
 * @param domain where exposed services are published: {@code <svc>-<slug>.<domain>}
 */
public record StackParts(
    StackCluster cluster,
    StackApplier applier,
    StackObserver observer,
    StackTeardown teardown,
    String domain) {
  public StackParts {
    requireNonNull(cluster, "cluster is null");
    requireNonNull(applier, "applier is null");
    requireNonNull(observer, "observer is null");
    requireNonNull(teardown, "teardown is null");
    requireNonNull(domain, "domain is null");
  }

  /** What every stack response says about where it runs. */
  public String clusterName() {
    return cluster.simulated() ? "simulated" : "kubernetes";
  }
}
