package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.StackId;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.testkit.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reads the worker's stack jobs page through, on real Postgres. */
class StackRepositoryPagesTest {
  private static final Set<Tier> EXPIRING = Set.of(Tier.ANONYMOUS, Tier.FREE);
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;
  private static TeamId team;
  private Instant now;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_pages"), 4);
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

  @BeforeEach
  void clean() {
    db.jdbi().useHandle(h -> h.execute("DELETE FROM stacks"));
    now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  private static StackRecord stack(Optional<TeamId> owner, Optional<Instant> expiresAt) {
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
                    expiresAt,
                    List.of(
                        new StackRepository.NewService("web", "nginx", 8080, true, Map.of()),
                        new StackRepository.NewService("api", "app:1", 9000, false, Map.of()))),
                AES));
  }

  private static void setStatus(StackRecord row, StackStatus status) {
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE stacks SET status = ? WHERE id = ?", status.wireName(), row.id().value()));
  }

  private static List<StackId> ids(List<StackRecord> rows) {
    return rows.stream().map(StackRecord::id).toList();
  }

  @Test
  void expiredListsStacksPastTheirExpiryThatAreNotBeingDeletedWhoeverOwnsThem() {
    StackRecord expired = stack(Optional.empty(), Optional.of(now.minusSeconds(60)));
    stack(Optional.empty(), Optional.of(now.plusSeconds(60)));
    stack(Optional.empty(), Optional.empty());
    // A paid team's stack: no expiry.
    stack(Optional.of(team), Optional.empty());
    // Claimed into a free team: it kept its expiry, and goes when it passes.
    StackRecord claimed = stack(Optional.of(team), Optional.of(now.minusSeconds(30)));
    db.jdbi()
        .useHandle(
            h -> h.execute("UPDATE stacks SET tier = 'free' WHERE id = ?", claimed.id().value()));
    // A paid tier's stack whose expiry was somehow left behind never goes.
    stack(Optional.of(team), Optional.of(now.minusSeconds(60)));
    StackRecord deleting = stack(Optional.empty(), Optional.of(now.minusSeconds(60)));
    setStatus(deleting, StackStatus.DELETING);

    List<StackRecord> page = stacks.expired(now, EXPIRING, Optional.empty(), 100);

    assertThat(ids(page)).containsExactlyInAnyOrder(expired.id(), claimed.id());
    page = page.stream().filter(r -> r.id().equals(expired.id())).toList();
    StackRecord row = page.getFirst();
    assertThat(row.slug()).isEqualTo(expired.slug());
    assertThat(row.namespace()).isEqualTo(expired.namespace());
    assertThat(row.services()).extracting(StackRecord.Service::name).containsExactly("api", "web");
    assertThat(row.updatedAt()).isEqualTo(expired.updatedAt());
  }

  @Test
  void expiredAnonymousPagesByIdWithoutGapsOrRepeats() {
    List<StackId> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(stack(Optional.empty(), Optional.of(now.minusSeconds(10))).id());
    }
    List<StackId> seen = new ArrayList<>();
    Optional<StackId> after = Optional.empty();
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      List<StackRecord> page = stacks.expired(now, EXPIRING, after, 2);
      sizes.add(page.size());
      seen.addAll(ids(page));
      if (page.size() < 2) {
        break;
      }
      after = Optional.of(page.getLast().id());
    }
    assertThat(sizes).containsExactly(2, 2, 1);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(made);
  }

  @Test
  void inStatusesListsExactlyTheAskedStatusesWithServicesAndPages() {
    StackRecord deploying = stack(Optional.of(team), Optional.empty());
    StackRecord healthy = stack(Optional.of(team), Optional.empty());
    setStatus(healthy, StackStatus.HEALTHY);
    StackRecord lost = stack(Optional.empty(), Optional.empty());
    setStatus(lost, StackStatus.LOST);
    StackRecord deleting = stack(Optional.empty(), Optional.empty());
    setStatus(deleting, StackStatus.DELETING);

    assertThat(ids(stacks.inStatuses(Set.of(StackStatus.DELETING), Optional.empty(), 10)))
        .containsExactly(deleting.id());
    List<StackRecord> live =
        stacks.inStatuses(
            EnumSet.of(StackStatus.DEPLOYING, StackStatus.HEALTHY, StackStatus.LOST),
            Optional.empty(),
            10);
    assertThat(ids(live)).containsExactlyInAnyOrder(deploying.id(), healthy.id(), lost.id());
    assertThat(live).allSatisfy(r -> assertThat(r.services()).hasSize(2));
    assertThat(live)
        .filteredOn(r -> r.id().equals(healthy.id()))
        .singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(StackStatus.HEALTHY));

    List<StackRecord> first =
        stacks.inStatuses(
            EnumSet.of(StackStatus.DEPLOYING, StackStatus.HEALTHY, StackStatus.LOST),
            Optional.empty(),
            2);
    List<StackRecord> second =
        stacks.inStatuses(
            EnumSet.of(StackStatus.DEPLOYING, StackStatus.HEALTHY, StackStatus.LOST),
            Optional.of(first.getLast().id()),
            2);
    assertThat(first).hasSize(2);
    assertThat(ids(second)).hasSize(1).doesNotContainAnyElementsOf(ids(first));
  }

  @Test
  void countByStatusNamesEveryStatusAndCountsEachRow() {
    assertThat(stacks.countByStatus())
        .containsOnlyKeys(StackStatus.values())
        .allSatisfy((status, n) -> assertThat(n).as(status.wireName()).isZero());
    stack(Optional.empty(), Optional.empty());
    stack(Optional.empty(), Optional.empty());
    setStatus(stack(Optional.of(team), Optional.empty()), StackStatus.FAILED);

    Map<StackStatus, Long> counts = stacks.countByStatus();

    assertThat(counts)
        .containsEntry(StackStatus.DEPLOYING, 2L)
        .containsEntry(StackStatus.FAILED, 1L)
        .containsEntry(StackStatus.HEALTHY, 0L)
        .containsEntry(StackStatus.LOST, 0L)
        .containsEntry(StackStatus.DELETING, 0L);
  }

  @Test
  void markExpiredDeletingReDecidesUnderTheLock() {
    StackRecord expired = stack(Optional.empty(), Optional.of(now.minusSeconds(60)));
    StackRecord notYet = stack(Optional.empty(), Optional.of(now.plusSeconds(60)));
    StackRecord claimed = stack(Optional.of(team), Optional.empty());

    assertThat(stacks.markExpiredDeleting(expired.id(), now, EXPIRING))
        .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(StackStatus.DELETING));
    assertThat(stacks.markExpiredDeleting(expired.id(), now, EXPIRING))
        .as("already deleting")
        .isEmpty();
    assertThat(stacks.markExpiredDeleting(notYet.id(), now, EXPIRING)).isEmpty();
    assertThat(stacks.markExpiredDeleting(claimed.id(), now, EXPIRING)).isEmpty();
    assertThat(stacks.markExpiredDeleting(new StackId(java.util.UUID.randomUUID()), now, EXPIRING))
        .isEmpty();

    assertThat(stacks.findBySlug(notYet.slug()).orElseThrow()).isEqualTo(notYet);
    assertThat(stacks.findBySlug(claimed.slug()).orElseThrow()).isEqualTo(claimed);
  }

  @Test
  void updatedAtMovesWhenTheStatusChangesNotWhenOnlyAServiceReasonDoes() {
    StackRecord row = stack(Optional.empty(), Optional.empty());
    Instant longAgo = now.minus(Duration.ofHours(2));
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE stacks SET updated_at = ? WHERE id = ?",
                java.sql.Timestamp.from(longAgo),
                row.id().value()));

    assertThat(
            stacks.recordLiveStatus(
                row.id(),
                StackStatus.DEPLOYING,
                List.of(
                    new StackRepository.ObservedService(
                        "web", "deploying", Optional.of("0 of 1 replicas available")))))
        .isTrue();
    StackRecord same = stacks.findBySlug(row.slug()).orElseThrow();
    assertThat(same.updatedAt()).isEqualTo(longAgo);
    assertThat(same.services())
        .filteredOn(s -> s.name().equals("web"))
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).contains("0 of 1 replicas available"));

    stacks.recordLiveStatus(row.id(), StackStatus.HEALTHY, List.of());
    assertThat(stacks.findBySlug(row.slug()).orElseThrow().updatedAt())
        .isAfter(now.minusSeconds(60));
  }

  @Test
  void failStillDeployingWritesOnlyAStackDeployingSinceBeforeTheCutoff() {
    StackRecord stuck = stack(Optional.empty(), Optional.empty());
    StackRecord fresh = stack(Optional.empty(), Optional.empty());
    StackRecord healthy = stack(Optional.empty(), Optional.empty());
    for (StackRecord r : List.of(stuck, healthy)) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "UPDATE stacks SET updated_at = now() - interval '2 hours' WHERE id = ?",
                  r.id().value()));
    }
    setStatus(healthy, StackStatus.HEALTHY);
    Instant cutoff = now.minus(Duration.ofMinutes(30));
    List<StackRepository.ObservedService> why =
        List.of(
            new StackRepository.ObservedService(
                "web", "failed", Optional.of("not available after 30m")));

    assertThat(stacks.failStillDeploying(fresh.id(), cutoff, why)).isFalse();
    assertThat(stacks.failStillDeploying(healthy.id(), cutoff, why)).isFalse();
    assertThat(stacks.failStillDeploying(stuck.id(), cutoff, why)).isTrue();

    StackRecord failed = stacks.findBySlug(stuck.slug()).orElseThrow();
    assertThat(failed.status()).isEqualTo(StackStatus.FAILED);
    assertThat(failed.services())
        .filteredOn(s -> s.name().equals("web"))
        .singleElement()
        .satisfies(s -> {
          assertThat(s.status()).isEqualTo("failed");
          assertThat(s.reason()).contains("not available after 30m");
        });
    assertThat(stacks.findBySlug(fresh.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DEPLOYING);
    assertThat(stacks.findBySlug(healthy.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.HEALTHY);
  }
}
