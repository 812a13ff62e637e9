package dev.instanode.provisioner.redis;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which of {@link TenantAcl#DENIED_WHERE_PRESENT} the server knows, asked at most every {@link
 * #FRESH_FOR}: a server's command set changes only when it is upgraded, and asking on every
 * provision cost three round trips, each queued behind whatever Redis was doing. A user made in the
 * window after an upgrade gets its rules renewed by the next limits pass, which compares every
 * user's rules with the current set.
 */
final class KnownCommands {
  static final Duration FRESH_FOR = Duration.ofSeconds(30);

  private record Snapshot(Set<String> present, long fetchedAt) {}

  private final LongSupplier nanoTime;
  private volatile Snapshot last;

  KnownCommands() {
    this(System::nanoTime);
  }

  KnownCommands(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  Set<String> of(RedisCommands<String, String> redis) {
    Snapshot snapshot = last;
    long now = nanoTime.getAsLong();
    if (snapshot != null && now - snapshot.fetchedAt() < FRESH_FOR.toNanos()) {
      return snapshot.present();
    }
    Set<String> present = new HashSet<>();
    for (String command : TenantAcl.DENIED_WHERE_PRESENT) {
      List<Object> info = redis.commandInfo(command);
      if (!info.isEmpty() && info.getFirst() != null) {
        present.add(command);
      }
    }
    last = new Snapshot(Set.copyOf(present), now);
    return last.present();
  }
}
