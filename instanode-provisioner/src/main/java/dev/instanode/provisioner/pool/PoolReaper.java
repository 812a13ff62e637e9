package dev.instanode.provisioner.pool;

import dev.instanode.core.Masking;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.ResourceBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the infrastructure of pool items nobody holds: discarded ({@code failed}) ones, and ones a
 * refill started ({@code creating}) but never finished, because it crashed or hung. Neither was
 * ever handed to anyone, so neither has an owner; the row is deleted only after the drop succeeded.
 * A {@code creating} item is left alone for {@link #CREATING_GRACE}, far longer than a refill
 * takes, so one still in flight is never reaped.
 *
 * <p>{@code assigned} items are only counted, never dropped here: from this table an item whose
 * claim crashed looks exactly like one serving a live customer. The worker decides those with the
 * resources table in hand.
 */
public final class PoolReaper {
  private static final Logger LOG = LoggerFactory.getLogger(PoolReaper.class);
  public static final Duration FAILED_GRACE = Duration.ofMinutes(10);
  public static final Duration CREATING_GRACE = Duration.ofMinutes(10);
  public static final Duration STUCK_ASSIGNED_AGE = Duration.ofMinutes(30);
  public static final int BATCH = 50;

  private final PoolRepository items;
  private final Map<ResourceType, ResourceBackend> backends;
  private final DeprovisionChokepoint chokepoint;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<ResourceType, AtomicLong> stuck = new ConcurrentHashMap<>();

  public PoolReaper(
      PoolRepository items,
      Map<ResourceType, ResourceBackend> backends,
      DeprovisionChokepoint chokepoint,
      MeterRegistry meters,
      Clock clock) {
    this.items = items;
    this.backends = Map.copyOf(backends);
    this.chokepoint = chokepoint;
    this.meters = meters;
    this.clock = clock;
    for (ResourceType type : backends.keySet()) {
      AtomicLong gauge = new AtomicLong();
      stuck.put(type, gauge);
      Gauge.builder("instant_pool_stuck_assigned", gauge, AtomicLong::get)
          .description("Assigned pool items older than 30 minutes (never reaped here)")
          .tag("resource_type", type.wireName())
          .register(meters);
    }
  }

  /** One pass; returns how many abandoned items were reaped. */
  public int reapOnce() {
    int reaped = 0;
    Instant now = clock.instant();
    for (PoolRepository.AbandonedItem item :
        items.abandoned(now.minus(FAILED_GRACE), now.minus(CREATING_GRACE), BATCH)) {
      ResourceBackend backend = backends.get(item.type());
      if (backend == null) {
        count(item, "deprovision_err");
        continue;
      }
      if (item.status().equals("creating") && !items.takeAbandoned(item.id())) {
        count(item, "finished_meanwhile");
        continue;
      }
      try {
        chokepoint.drop(
            backend,
            item.poolToken(),
            item.providerResourceId().orElse(ProviderResourceId.NONE),
            "pool_reap",
            new RequestId("pool-reaper"));
      } catch (RuntimeException e) {
        LOG.warn(
            "pool.reap_deprovision_failed pool_token={} error={}",
            Masking.token(item.poolToken().value()),
            Masking.scrubUrls(e.toString()));
        count(item, "deprovision_err");
        continue;
      }
      try {
        if (items.deleteAbandoned(item.id())) {
          reaped++;
          count(item, "reaped");
        }
      } catch (RuntimeException e) {
        count(item, "delete_err");
      }
    }
    Map<ResourceType, Long> stuckNow = items.assignedBefore(now.minus(STUCK_ASSIGNED_AGE));
    stuck.forEach((type, gauge) -> gauge.set(stuckNow.getOrDefault(type, 0L)));
    return reaped;
  }

  private void count(PoolRepository.AbandonedItem item, String outcome) {
    Counter.builder("instant_pool_reap_total")
        .description("Abandoned (failed or never finished) pool items reaped, by outcome")
        .tag("resource_type", item.type().wireName())
        .tag("status", item.status())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
