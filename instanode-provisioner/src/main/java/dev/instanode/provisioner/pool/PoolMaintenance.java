package dev.instanode.provisioner.pool;

import dev.instanode.core.ResourceType;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every {@code interval}: top every pool up, then reap discarded items. Started with the role. */
public final class PoolMaintenance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PoolMaintenance.class);

  private final HotPool pool;
  private final PoolReaper reaper;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("pool-maintenance").daemon().factory());

  public PoolMaintenance(HotPool pool, PoolReaper reaper) {
    this.pool = pool;
    this.reaper = reaper;
  }

  public PoolMaintenance start(Duration interval) {
    ticker.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  void tick() {
    try {
      for (ResourceType type : ResourceType.values()) {
        pool.refill(type);
      }
      int reaped = reaper.reapOnce();
      LOG.debug("pool.maintenance reaped={}", reaped);
    } catch (RuntimeException e) {
      // A failed tick must not cancel the schedule.
      LOG.warn("pool.maintenance_failed error={}", e.toString());
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
