package dev.instanode.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.LiveStack;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackHealth;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stack's status read from the live cluster, never echoed from its row: the verdict of {@link
 * StackHealth} is recorded when it differs from the row. A cluster that cannot be read throws
 * {@code ClusterUnavailableException} and the row is left exactly as it was.
 */
public final class StackObserver {
  private static final Logger LOG = LoggerFactory.getLogger(StackObserver.class);
  static final String LOST_METRIC = "instant_stacks_lost_total";

  private final StackRepository stacks;
  private final StackCluster cluster;
  private final MeterRegistry meters;

  public StackObserver(StackRepository stacks, StackCluster cluster, MeterRegistry meters) {
    this.stacks = requireNonNull(stacks, "stacks is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.meters = requireNonNull(meters, "meters is null");
  }

  /** The verdict for {@code row} now, recorded on the row when it changed. */
  public StackHealth.Verdict observe(StackRecord row) {
    List<String> expected = row.services().stream().map(StackRecord.Service::name).toList();
    Optional<LiveStack> seen = cluster.read(row.namespace());
    // Right after a create or redeploy the apply may not have made the namespace yet.
    StackHealth.Verdict verdict =
        seen.isEmpty() && row.status() == StackStatus.DEPLOYING
            ? StackHealth.notYetApplied(expected)
            : StackHealth.of(seen, expected, cluster.simulated());
    StackStatus live = StackStatus.valueOf(verdict.state().name());
    if (row.status() == StackStatus.DELETING) {
      return verdict;
    }
    if (row.status() == StackStatus.FAILED && live == StackStatus.DEPLOYING) {
      // Failed stays failed until the stack is healthy, lost or redeployed: a crash loop between
      // two restarts, or pods still pending past the reconciler's deadline, read as deploying.
      return recorded(row);
    }
    if (live != row.status() || servicesChanged(row, verdict)) {
      if (stacks.recordLiveStatus(
          row.id(),
          live,
          verdict.services().stream()
              .map(s ->
                  new StackRepository.ObservedService(s.name(), s.state().wireName(), s.reason()))
              .toList())) {
        if (live == StackStatus.LOST && row.status() != StackStatus.LOST) {
          meters.counter(LOST_METRIC).increment();
          LOG.warn(
              "stack.lost slug={} namespace={}: the row says it runs, the cluster has no namespace",
              row.slug(),
              row.namespace());
        }
      }
    }
    return verdict;
  }

  /** True when the cluster is dev's simulated one, where no container ever runs. */
  public boolean simulated() {
    return cluster.simulated();
  }

  /** The failed verdict the row holds, each service as it was recorded. */
  private static StackHealth.Verdict recorded(StackRecord row) {
    return new StackHealth.Verdict(
        StackHealth.State.FAILED,
        row.services().stream()
            .map(s ->
                new StackHealth.Service(
                    s.name(),
                    Arrays.stream(StackHealth.State.values())
                        .filter(state -> state.wireName().equals(s.status()))
                        .findFirst()
                        .orElse(StackHealth.State.DEPLOYING),
                    s.reason()))
            .toList());
  }

  private static boolean servicesChanged(StackRecord row, StackHealth.Verdict verdict) {
    for (StackHealth.Service s : verdict.services()) {
      Optional<StackRecord.Service> recorded =
          row.services().stream().filter(r -> r.name().equals(s.name())).findFirst();
      if (recorded.isEmpty()
          || !recorded.get().status().equals(s.state().wireName())
          || !recorded.get().reason().equals(s.reason())) {
        return true;
      }
    }
    return false;
  }
}
