package dev.instanode.provisioner.pool;

import dev.instanode.core.Masking;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.DeprovisionChokepoint;
import dev.instanode.provisioner.ResourceBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the infrastructure of discarded ({@code failed}) pool items. A failed item was never handed
 * to anyone, so it has no owner; its row is deleted only after the drop succeeded.
 *
 * <p>{@code assigned} items are only counted, never dropped here: from this table an item whose
 * claim crashed looks exactly like one serving a live customer. The worker decides those with the
 * resources table in hand.
 */
public final class PoolReaper {
  private static final Logger LOG = LoggerFactory.getLogger(PoolReaper.class);
  public static final Duration FAILED_GRACE = Duration.ofMinutes(10);
  public static final Duration STUCK_ASSIGNED_AGE = Duration.ofMinutes(30);
  public static final int BATCH = 50;

  private final PoolRepository items;
  private final Map<ResourceType, ResourceBackend> backends;
  private final DeprovisionChokepoint chokepoint;
  private final MeterRegistry meters;
  private final Map<ResourceType, AtomicLong> stuck = new ConcurrentHashMap<>();

  public PoolReaper(
      PoolRepository items,
      Map<ResourceType, ResourceBackend> backends,
      DeprovisionChokepoint chokepoint,
      MeterRegistry meters) {
    this.items = items;
    this.backends = Map.copyOf(backends);
    this.chokepoint = chokepoint;
    this.meters = meters;
    for (ResourceType type : backends.keySet()) {
      AtomicLong gauge = new AtomicLong();
      stuck.put(type, gauge);
      Gauge.builder("instant_pool_stuck_assigned", gauge, AtomicLong::get)
          .description("Assigned pool items older than 30 minutes (never reaped here)")
          .tag("resource_type", type.wireName())
          .register(meters);
    }
  }

  /** One pass; returns how many failed items were reaped. */
  public int reapOnce() {
    int reaped = 0;
    for (PoolRepository.FailedItem item : items.failedOlderThan(FAILED_GRACE, BATCH)) {
      ResourceBackend backend = backends.get(item.type());
      if (backend == null) {
        count(item.type(), "deprovision_err");
        continue;
      }
      try {
        chokepoint.drop(
            backend,
            item.poolToken().value(),
            item.providerResourceId(),
            "pool_reap",
            "pool-reaper");
      } catch (RuntimeException e) {
        LOG.warn(
            "pool.reap_deprovision_failed pool_token={} error={}",
            Masking.token(item.poolToken().value()),
            Masking.scrubUrls(e.toString()));
        count(item.type(), "deprovision_err");
        continue;
      }
      try {
        if (items.deleteFailed(item.id())) {
          reaped++;
          count(item.type(), "reaped");
        }
      } catch (RuntimeException e) {
        count(item.type(), "delete_err");
      }
    }
    Map<ResourceType, Long> stuckNow = items.assignedOlderThan(STUCK_ASSIGNED_AGE);
    stuck.forEach((type, gauge) -> gauge.set(stuckNow.getOrDefault(type, 0L)));
    return reaped;
  }

  private void count(ResourceType type, String outcome) {
    Counter.builder("instant_pool_reap_total")
        .description("Failed pool items reaped, by outcome")
        .tag("resource_type", type.wireName())
        .tag("status", "failed")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
