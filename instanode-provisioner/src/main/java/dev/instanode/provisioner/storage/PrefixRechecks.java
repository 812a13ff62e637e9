package dev.instanode.provisioner.storage;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties each dropped storage prefix a second time once it is due: a presigned PUT issued before
 * the drop can still write under the prefix until it expires, and what it writes would otherwise
 * stay in the bucket with no row to bill or drop it. Each second drop goes through the chokepoint
 * (audited, reason {@code recheck}); a due row is removed only after its drop succeeded.
 */
public final class PrefixRechecks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrefixRechecks.class);
  static final int PAGE = 100;

  private final Jdbi provisionerDb;
  private final StorageBackend storage;
  private final DeprovisionChokepoint chokepoint;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("prefix-rechecks").daemon().factory());

  public PrefixRechecks(
      Jdbi provisionerDb, StorageBackend storage, DeprovisionChokepoint chokepoint) {
    this.provisionerDb = provisionerDb;
    this.storage = storage;
    this.chokepoint = chokepoint;
  }

  public PrefixRechecks start(Duration interval) {
    ticker.scheduleWithFixedDelay(
        this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void tick() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      // A failed tick must not cancel the schedule.
      LOG.warn("storage.recheck_failed error={}", e.toString());
    }
  }

  /** Empties every due prefix (a page of them); returns how many were settled. */
  public int runOnce() {
    List<UUID> due =
        provisionerDb.withHandle(h ->
            h.createQuery(
                    "SELECT token FROM object_prefix_rechecks WHERE due_at <= now()"
                        + " ORDER BY due_at LIMIT :page")
                .bind("page", PAGE)
                .mapTo(UUID.class)
                .list());
    int settled = 0;
    for (UUID token : due) {
      try {
        chokepoint.drop(
            storage,
            new ResourceToken(token),
            ProviderResourceId.of(StorageBackend.PROVIDER),
            "recheck",
            RequestId.random());
        provisionerDb.useHandle(h ->
            h.createUpdate("DELETE FROM object_prefix_rechecks WHERE token = :t")
                .bind("t", token)
                .execute());
        settled++;
      } catch (ProvisionerException e) {
        LOG.warn("storage.recheck_deferred error={}", e.getMessage());
      }
    }
    return settled;
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
