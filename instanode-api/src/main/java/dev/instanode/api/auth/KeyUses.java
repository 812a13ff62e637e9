package dev.instanode.api.auth;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when each API key was last used, at most once a minute a key and never on the request
 * path: the write runs on its own virtual thread, and a failed one is only logged (a request is
 * never slowed or refused for it). The database write itself is also conditional on a minute having
 * passed, so many api processes add no more writes.
 */
final class KeyUses {
  private static final Logger LOG = LoggerFactory.getLogger(KeyUses.class);
  static final long MINUTE_NANOS = 60_000_000_000L;

  /** Past this many keys the memory of recent writes starts over (the database still guards). */
  static final int MAX_REMEMBERED = 100_000;

  private final Consumer<UUID> touch;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<UUID, Long> lastWritten = new ConcurrentHashMap<>();

  /** Writes in flight at once: a burst of keys never takes the requests' database connections. */
  private final java.util.concurrent.Semaphore writers = new java.util.concurrent.Semaphore(2);

  KeyUses(Consumer<UUID> touch, LongSupplier nanos) {
    this.touch = touch;
    this.nanos = nanos;
  }

  /** A use of {@code key}, which the database last saw at {@code lastUsedAt}. */
  void used(UUID key, Optional<Instant> lastUsedAt) {
    if (lastUsedAt.isPresent() && lastUsedAt.get().isAfter(Instant.now().minusSeconds(60))) {
      return;
    }
    long now = nanos.getAsLong();
    Long before = lastWritten.get(key);
    if (before != null && now - before < MINUTE_NANOS) {
      return;
    }
    if (lastWritten.size() >= MAX_REMEMBERED) {
      lastWritten.clear();
    }
    if (before == null
        ? lastWritten.putIfAbsent(key, now) != null
        : !lastWritten.replace(key, before, now)) {
      return; // another request is writing it
    }
    if (!writers.tryAcquire()) {
      // Busy: forget this one, so a later use writes it.
      lastWritten.remove(key, now);
      return;
    }
    Thread.ofVirtual()
        .name("api-key-use")
        .start(() -> {
          try {
            touch.accept(key);
          } catch (RuntimeException e) {
            LOG.warn("api_key.last_used_not_written error={}", e.toString());
          } finally {
            writers.release();
          }
        });
  }
}
