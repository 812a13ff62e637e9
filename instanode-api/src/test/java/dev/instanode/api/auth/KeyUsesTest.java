package dev.instanode.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyUsesTest {
  private final List<UUID> written = new CopyOnWriteArrayList<>();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final KeyUses uses = new KeyUses(written::add, nanos::get);

  private void settle() throws InterruptedException {
    Thread.sleep(200); // the write runs on its own virtual thread
  }

  @Test
  void aKeyIsWrittenAtMostOnceAMinute() throws Exception {
    UUID key = UUID.randomUUID();
    uses.used(key, Optional.empty());
    uses.used(key, Optional.empty());
    nanos.addAndGet(59_000_000_000L);
    uses.used(key, Optional.empty());
    settle();
    assertThat(written).containsExactly(key);

    nanos.addAndGet(2_000_000_000L);
    uses.used(key, Optional.empty());
    settle();
    assertThat(written).containsExactly(key, key);
  }

  @Test
  void aKeyTheDatabaseSawUsedThisMinuteIsNotWritten() throws Exception {
    uses.used(UUID.randomUUID(), Optional.of(Instant.now().minusSeconds(10)));
    settle();
    assertThat(written).isEmpty();
  }
}
