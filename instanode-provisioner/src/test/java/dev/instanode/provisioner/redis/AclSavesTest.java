package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AclSavesTest {
  /** What the "ACL file" holds: the changes visible when a save started. */
  private final Set<Integer> memory = ConcurrentHashMap.newKeySet();

  private final List<Set<Integer>> files = new CopyOnWriteArrayList<>();

  @Test
  void everyCallerReturnsOnlyOnceASaveThatSawItsChangeHasFinishedAndConcurrentCallersShareSaves()
      throws Exception {
    AclSaves saves = new AclSaves();
    int callers = 32;
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int change = i;
        results.add(
            pool.submit(() -> {
              start.await();
              memory.add(change);
              saves.covering(this::slowSave);
              // Checked at the moment the caller is told "done", not later.
              return files.stream().anyMatch(file -> file.contains(change));
            }));
      }
      start.countDown();
      for (int i = 0; i < callers; i++) {
        assertThat(results.get(i).get(10, TimeUnit.SECONDS))
            .as("change %d was on disk when its caller returned", i)
            .isTrue();
      }
    }
    assertThat(files.getLast()).hasSize(callers);
    assertThat(files.size()).as("saves for %d callers", callers).isLessThan(callers / 2);
  }

  @Test
  void aChangeMadeWhileASaveRunsWaitsForTheNextSave() throws Exception {
    AclSaves saves = new AclSaves();
    CountDownLatch saving = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean lateCallerReturned = new AtomicBoolean();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<?> first =
          pool.submit(() -> {
            memory.add(1);
            saves.covering(() -> {
              files.add(Set.copyOf(memory));
              saving.countDown();
              await(release);
            });
            return null;
          });
      saving.await();
      memory.add(2);
      Future<?> late =
          pool.submit(() -> {
            saves.covering(() -> files.add(Set.copyOf(memory)));
            lateCallerReturned.set(true);
            return null;
          });
      Thread.sleep(200);
      assertThat(lateCallerReturned).as("not covered by the save already running").isFalse();
      release.countDown();
      first.get(5, TimeUnit.SECONDS);
      late.get(5, TimeUnit.SECONDS);
    }
    assertThat(files).hasSize(2);
    assertThat(files.getLast()).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void aFailedSaveFailsItsLeaderAndTheNextCallerSavesAgain() {
    AclSaves saves = new AclSaves();
    assertThatThrownBy(() ->
            saves.covering(() -> {
              throw new IllegalStateException("disk full");
            }))
        .hasMessage("disk full");
    memory.add(7);
    saves.covering(() -> files.add(Set.copyOf(memory)));
    assertThat(files).containsExactly(Set.of(7));
  }

  private void slowSave() {
    Set<Integer> snapshot = Set.copyOf(memory);
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    files.add(snapshot);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
