package dev.instanode.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackHealth;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.micrometer.core.instrument.MeterRegistry;
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
    StackHealth.Verdict verdict =
        StackHealth.of(
            cluster.read(row.namespace()),
            row.services().stream().map(StackRecord.Service::name).toList(),
            cluster.simulated());
    StackStatus live = StackStatus.valueOf(verdict.state().name());
    if (row.status() == StackStatus.DELETING) {
      return verdict;
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
