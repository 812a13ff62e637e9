package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.testkit.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 003 against real Postgres: the env merge under its row lock, and its races. */
class StackRepositoryTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;
  private static TeamId team;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stacks"), 20);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
    team =
        db.jdbi()
            .inTransaction(h -> new IdentityRepository(db.jdbi()).createTeam(h, "t", Tier.PRO))
            .id();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static StackRecord stack(Optional<TeamId> owner) {
    return db.jdbi()
        .inTransaction(h ->
            StackRepository.insert(
                h,
                new StackRepository.NewStack(
                    StackSlug.random(),
                    owner,
                    Optional.empty(),
                    "app",
                    "development",
                    owner.isPresent() ? Tier.PRO : Tier.ANONYMOUS,
                    Optional.empty(),
                    List.of(
                        new StackRepository.NewService(
                            "web", "nginx:1.27", 8080, true, Map.of("SECRET", "s3cret")))),
                AES));
  }

  @Test
  void aStackIsRecordedUnderItsSlugWithItsOwnNamespaceAndItsEnvSealed() {
    StackRecord made = stack(Optional.of(team));
    assertThat(made.id().value().toString()).isNotEqualTo(made.slug().value());
    assertThat(made.namespace().value()).isEqualTo("instant-stack-" + made.slug().value());
    assertThat(made.status()).isEqualTo(StackStatus.DEPLOYING);
    assertThat(made.services()).extracting(StackRecord.Service::name).containsExactly("web");
    assertThat(stacks.findBySlug(made.slug())).contains(made);
    String stored =
        db.jdbi()
            .withHandle(h ->
                h.createQuery("SELECT env::text FROM stack_services WHERE stack_id = :id")
                    .bind("id", made.id().value())
                    .mapTo(String.class)
                    .one());
    assertThat(stored).contains("SECRET").doesNotContain("s3cret");
  }

  @Test
  void aMergeSetsAndDeletesAndCountsOnlyWhatChanged() {
    StackRecord s = stack(Optional.of(team));
    stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("A", "1", "B", "2"), AES);
    StackRepository.EnvOutcome outcome =
        stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("A", "", "GONE", "", "C", "3"), AES);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            StackRepository.EnvOutcome.Merged.class,
            m -> {
              assertThat(m.result().keysSet()).isEqualTo(1);
              assertThat(m.result().keysDeleted()).isEqualTo(1);
            });
    assertThat(stacks.env(s.id(), AES))
        .containsExactlyInAnyOrderEntriesOf(Map.of("B", "2", "C", "3"));
  }

  @Test
  void anotherTeamsOrAnAnonymousStackIsNotFoundForThisTeam() {
    StackRecord anonymous = stack(Optional.empty());
    assertThat(stacks.mergeEnv(anonymous.slug(), Optional.of(team), Map.of("A", "1"), AES))
        .isInstanceOf(StackRepository.EnvOutcome.NotFound.class);
    assertThat(stacks.mergeEnv(StackSlug.random(), Optional.of(team), Map.of("A", "1"), AES))
        .isInstanceOf(StackRepository.EnvOutcome.NotFound.class);
  }

  @Test
  void anEnvOverTheLimitIsRefusedAndNothingIsWritten() {
    StackRecord s = stack(Optional.of(team));
    assertThat(stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("BIG", "x".repeat(70_000)), AES))
        .isInstanceOf(StackRepository.EnvOutcome.TooLarge.class);
    assertThat(stacks.env(s.id(), AES)).isEmpty();
  }

  @Test
  void sixteenConcurrentMergesWithDisjointKeysKeepAllSixteen() throws Exception {
    StackRecord s = stack(Optional.of(team));
    CountDownLatch go = new CountDownLatch(1);
    List<Future<StackRepository.EnvOutcome>> merges = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (int i = 0; i < 16; i++) {
        String key = "KEY_" + i;
        merges.add(
            pool.submit(() -> {
              go.await();
              return stacks.mergeEnv(s.slug(), Optional.of(team), Map.of(key, "v"), AES);
            }));
      }
      go.countDown();
      for (Future<StackRepository.EnvOutcome> f : merges) {
        assertThat(f.get(30, TimeUnit.SECONDS))
            .isInstanceOf(StackRepository.EnvOutcome.Merged.class);
      }
    }
    assertThat(stacks.env(s.id(), AES)).hasSize(16);
  }

  @Test
  void aMergeRacingADeleteNeverWritesOntoADeletingStack() throws Exception {
    StackRecord s = stack(Optional.of(team));
    try (Handle deleter = db.jdbi().open();
        ExecutorService pool = Executors.newSingleThreadExecutor()) {
      deleter.begin();
      deleter.execute("SELECT id FROM stacks WHERE id = ? FOR UPDATE", s.id().value());
      Future<StackRepository.EnvOutcome> merge =
          pool.submit(() -> stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("A", "1"), AES));
      // The merge now waits on the row lock the delete holds.
      Thread.sleep(300);
      deleter.execute("UPDATE stacks SET status = 'deleting' WHERE id = ?", s.id().value());
      deleter.commit();

      assertThat(merge.get(10, TimeUnit.SECONDS))
          .isInstanceOf(StackRepository.EnvOutcome.Deleting.class);
    }
    assertThat(stacks.env(s.id(), AES)).isEmpty();
  }

  @Test
  void aLockHeldTooLongEndsTheMergeWithATimeout() {
    StackRecord s = stack(Optional.of(team));
    try (Handle holder = db.jdbi().open()) {
      holder.begin();
      holder.execute("SELECT id FROM stacks WHERE id = ? FOR UPDATE", s.id().value());
      assertThatThrownBy(() -> stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("A", "1"), AES))
          .satisfies(e -> assertThat(LockTimeouts.isTimeout(e)).isTrue());
      holder.rollback();
    }
    assertThat(stacks.env(s.id(), AES)).isEmpty();
  }

  @Test
  void markDeletingThenDeleteTornDownForgetsTheStackAndNothingElseDeletesALiveOne() {
    StackRecord s = stack(Optional.of(team));
    assertThat(stacks.deleteTornDown(s.id())).as("a live row is never deleted").isFalse();
    assertThat(stacks.markDeleting(s.slug(), Optional.empty())).as("not anonymous").isEmpty();
    assertThat(stacks.markDeleting(s.slug(), Optional.of(team)))
        .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(StackStatus.DELETING));
    assertThat(stacks.mergeEnv(s.slug(), Optional.of(team), Map.of("A", "1"), AES))
        .isInstanceOf(StackRepository.EnvOutcome.Deleting.class);
    assertThat(stacks.deleteTornDown(s.id())).isTrue();
    assertThat(stacks.findBySlug(s.slug())).isEmpty();
  }

  @Test
  void theOrphanSweepsLiveSetIsKeyedByTheSlugsNamespaceNeverTheId() {
    StackRecord made = stack(Optional.empty());
    NamespaceName byId = new NamespaceName("instant-stack-" + made.id().value());
    NamespaceName nobody = NamespaceName.forStack(StackSlug.random());
    long before = stacks.count();

    assertThat(stacks.namespacesWithRows(List.of(made.namespace(), byId, nobody)))
        .containsExactly(made.namespace());
    assertThat(stacks.namespacesWithRows(List.of())).isEmpty();
    stack(Optional.empty());
    assertThat(stacks.count()).isEqualTo(before + 1);
  }
}
