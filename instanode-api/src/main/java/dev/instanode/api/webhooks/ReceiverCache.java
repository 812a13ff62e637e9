package dev.instanode.api.webhooks;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.store.WebhookRepository;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What the receive path needs of a receiver (its plan, its owner's choice on secret headers),
 * remembered for a second: at thousands of requests a second, reading them every time is most of
 * the work. A receiver deleted meanwhile is still never written to: the store itself checks it is
 * active. Unknown tokens are remembered too, so a sender of junk costs one read a second.
 */
final class ReceiverCache {
  /** How long an answer is used; a plan change or a setting shows within it. */
  static final long TTL_NANOS = 1_000_000_000L;

  /** Past this many entries the cache starts over (bounded memory under any token spray). */
  static final int MAX_ENTRIES = 50_000;

  /** An active receiver's facts. */
  record Receiver(ResourceToken token, Tier tier, WebhookRepository.Settings settings) {}

  private record Entry(Optional<Receiver> receiver, long loadedAt) {}

  private final Map<ResourceToken, Entry> entries = new ConcurrentHashMap<>();
  private final Function<ResourceToken, Optional<Receiver>> load;
  private final LongSupplier nanoTime;

  ReceiverCache(Function<ResourceToken, Optional<Receiver>> load, LongSupplier nanoTime) {
    this.load = load;
    this.nanoTime = nanoTime;
  }

  /** The remembered answer, when one is fresh; empty when {@link #get} would read. */
  Optional<Optional<Receiver>> remembered(ResourceToken token) {
    Entry e = entries.get(token);
    return e != null && nanoTime.getAsLong() - e.loadedAt() < TTL_NANOS
        ? Optional.of(e.receiver())
        : Optional.empty();
  }

  Optional<Receiver> get(ResourceToken token) {
    long now = nanoTime.getAsLong();
    Entry e = entries.get(token);
    if (e != null && now - e.loadedAt() < TTL_NANOS) {
      return e.receiver();
    }
    Optional<Receiver> fresh = load.apply(token);
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(token, new Entry(fresh, now));
    return fresh;
  }

  void forget(ResourceToken token) {
    entries.remove(token);
  }
}
