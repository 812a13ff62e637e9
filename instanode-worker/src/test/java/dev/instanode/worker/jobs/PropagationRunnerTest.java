package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PendingPropagation;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.MutableClock;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PropagationRunnerTest {
  private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  private static final List<Duration> SCHEDULE =
      List.of(
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(4),
          Duration.ofHours(8),
          Duration.ofHours(16));

  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;
  private MutableClock clock;
  private TeamId team;
  private Rows.Inserted resource;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("propagation");
    rows = new Rows(db.jdbi());
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    db.close();
  }

  @BeforeEach
  void seed() {
    rows.execute("DELETE FROM pending_propagations");
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    rows.execute("DELETE FROM teams");
    meters = new SimpleMeterRegistry();
    clock = new MutableClock(T0);
    team = rows.team("pro", "active");
    resource = rows.resource().team(team).tier("pro").providerResourceId("local:0").insert();
  }

  private PropagationRunner runner(Jdbi jdbi, Optional<Provisioner> p) {
    return new PropagationRunner(jdbi, p, new AuditLog(jdbi), meters, clock);
  }

  private PropagationRunner runner() {
    return new PropagationRunner(db.jdbi(), Optional.of(provisioner), audit, meters, clock);
  }

  private JobReport tick() {
    return runner().run(JobRun.start("propagation_runner"));
  }

  private static UUID enqueue(Jdbi jdbi, String kind, TeamId team, int attempts, Instant due) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "INSERT INTO pending_propagations (kind, team_id, target_tier, attempts,"
                    + " next_attempt_at) VALUES (:kind, :team, 'pro', :attempts, :due) RETURNING id")
            .bind("kind", kind)
            .bind("team", team.value())
            .bind("attempts", attempts)
            .bind("due", due.atOffset(ZoneOffset.UTC))
            .mapTo(UUID.class)
            .one());
  }

  private UUID enqueue(int attempts) {
    return enqueue(db.jdbi(), "tier_elevation", team, attempts, T0);
  }

  record Row(
      int attempts,
      Instant nextAttemptAt,
      Optional<Instant> appliedAt,
      Optional<Instant> failedAt,
      Optional<String> lastError) {}

  private static Row row(Jdbi jdbi, UUID id) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT attempts, next_attempt_at, applied_at, failed_at, last_error"
                    + " FROM pending_propagations WHERE id = :id")
            .bind("id", id)
            .map((rs, ctx) ->
                new Row(
                    rs.getInt("attempts"),
                    rs.getObject("next_attempt_at", OffsetDateTime.class).toInstant(),
                    Optional.ofNullable(rs.getObject("applied_at", OffsetDateTime.class))
                        .map(OffsetDateTime::toInstant),
                    Optional.ofNullable(rs.getObject("failed_at", OffsetDateTime.class))
                        .map(OffsetDateTime::toInstant),
                    Optional.ofNullable(rs.getString("last_error"))))
            .one());
  }

  private Row row(UUID id) {
    return row(db.jdbi(), id);
  }

  private double count(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aLandedRegradeMarksTheRowAppliedAndRecordsTheCapInForce() {
    UUID id = enqueue(0);

    tick();

    Row r = row(id);
    assertThat(r.appliedAt()).contains(T0);
    assertThat(r.failedAt()).isEmpty();
    assertThat(r.lastError()).isEmpty();
    assertThat(provisioner.regrades())
        .singleElement()
        .satisfies(req -> {
          assertThat(req.token()).isEqualTo(resource.token());
          assertThat(req.type()).isEqualTo(ResourceType.POSTGRES);
          assertThat(req.tier()).isEqualTo(Tier.PRO);
          assertThat(req.providerResourceId().wire()).isEqualTo("local:0");
          assertThat(req.requestId().value()).isEqualTo(id.toString());
        });
    assertThat(rows.appliedConnLimit(resource.id())).contains(20);
    assertThat(rows.auditCount("propagation.applied")).isEqualTo(1);
    assertThat(count("instant_propagation_applied_total", "kind", "tier_elevation")).isEqualTo(1.0);
  }

  @Test
  void failuresFollowTheExactBackoffScheduleThenDeadLetterAtTheTenthAttempt() {
    provisioner.fail(FakeProvisioner.Op.REGRADE);
    UUID id = enqueue(0);
    Instant due = T0;

    for (int attempt = 1; attempt <= 10; attempt++) {
      if (attempt > 1) {
        clock.advance(Duration.between(clock.instant(), due.minusSeconds(1)));
        int before = provisioner.regrades().size();
        tick();
        assertThat(provisioner.regrades()).as("not due a second early").hasSize(before);
        assertThat(row(id).attempts()).isEqualTo(attempt - 1);
        clock.advance(Duration.ofSeconds(1));
      }
      Instant attemptedAt = clock.instant();
      tick();

      Row r = row(id);
      assertThat(r.attempts()).isEqualTo(attempt);
      assertThat(r.appliedAt()).isEmpty();
      if (attempt < 10) {
        assertThat(r.nextAttemptAt())
            .as("wait after attempt %d", attempt)
            .isEqualTo(attemptedAt.plus(SCHEDULE.get(attempt - 1)));
        assertThat(r.failedAt()).isEmpty();
        assertThat(rows.auditCount("propagation.retrying")).isEqualTo(attempt);
        due = r.nextAttemptAt();
      } else {
        assertThat(r.failedAt()).contains(attemptedAt);
      }
    }
    assertThat(rows.auditCount("propagation.dead_lettered")).isEqualTo(1);
    assertThat(rows.auditCount("propagation.applied")).isZero();
    assertThat(
            count(
                "instant_propagation_dead_lettered_total",
                "reason",
                "max_attempts",
                "kind",
                "tier_elevation"))
        .isEqualTo(1.0);
    assertThat(rows.appliedConnLimit(resource.id())).as("failed regrades change no data").isEmpty();

    clock.advance(Duration.ofDays(30));
    int before = provisioner.regrades().size();
    tick();
    assertThat(provisioner.regrades()).as("a dead letter is never picked again").hasSize(before);
  }

  @Test
  void aRowWithNineAttemptsDeadLettersOnItsNextFailure() {
    provisioner.fail(FakeProvisioner.Op.REGRADE);
    UUID id = enqueue(9);

    tick();

    assertThat(row(id).attempts()).isEqualTo(10);
    assertThat(row(id).failedAt()).contains(T0);
    assertThat(rows.auditCount("propagation.dead_lettered")).isEqualTo(1);
  }

  @Test
  void anUnexpectedSkipIsAFailureThatRetriesNeverApplied() {
    provisioner.answerRegrade(
        r -> RegradeResult.skipped(2, "postgres pod missing postgres-admin Secret"));
    UUID id = enqueue(0);

    tick();

    Row r = row(id);
    assertThat(r.appliedAt()).isEmpty();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("unexpected skip"));
    assertThat(rows.auditCount("propagation.unexpected_skip")).isEqualTo(1);
    assertThat(rows.auditCount("propagation.applied")).isZero();
    assertThat(
            count(
                "instant_propagation_unexpected_skip_total",
                "kind",
                "tier_elevation",
                "resource_type",
                "postgres",
                "skip_reason",
                "postgres_admin_secret_missing"))
        .isEqualTo(1.0);
    assertThat(rows.appliedConnLimit(resource.id())).isEmpty();
  }

  @Test
  void anAllowedSkipCountsAsApplied() {
    provisioner.answerRegrade(r -> RegradeResult.skipped(20, RegradeResult.ALREADY_CORRECT));
    UUID id = enqueue(0);

    tick();

    assertThat(row(id).appliedAt()).contains(T0);
    assertThat(rows.appliedConnLimit(resource.id())).contains(20);
  }

  @Test
  void onlyActivePaidResourcesOfTheTeamAreRegraded() {
    rows.resource().team(team).tier("pro").status("paused").insert();
    rows.resource().team(team).tier("free").insert();
    // A receiver reads its plan as each request lands: nothing to push down.
    rows.resource().team(team).tier("pro").type("webhook").insert();
    // A kind the schema allows and this platform does not run yet.
    rows.resource().team(team).tier("pro").type("mongodb").insert();
    rows.resource().team(team).tier("pro").expiresAt(T0.minusSeconds(1)).insert();
    rows.resource().team(rows.team("pro", "active")).tier("pro").insert();
    enqueue(0);

    tick();

    assertThat(provisioner.regrades())
        .extracting(RegradeRequest::token)
        .containsExactly(resource.token());
  }

  @Test
  void anUnknownKindRetriesThenDeadLettersUnderTheBucketLabelNeverItsName() {
    // A newer api's migration allows a kind this worker has no handler for.
    PlatformDatabase newer = TestDatabases.platform("propagation_newer");
    try (newer) {
      String kind = "chaos_unknown_kind_" + System.nanoTime();
      newer
          .jdbi()
          .useHandle(h -> {
            h.execute(
                "ALTER TABLE pending_propagations DROP CONSTRAINT pending_propagations_kind_check");
            h.execute(
                "ALTER TABLE pending_propagations ADD CONSTRAINT pending_propagations_kind_check"
                    + " CHECK (kind IN ('tier_elevation', '"
                    + kind
                    + "'))");
          });
      TeamId t = new Rows(newer.jdbi()).team("pro", "active");
      UUID fresh = enqueue(newer.jdbi(), kind, t, 0, T0);
      UUID old = enqueue(newer.jdbi(), kind, t, 9, T0);

      runner(newer.jdbi(), Optional.of(provisioner)).run(JobRun.start("propagation_runner"));

      Row first = row(newer.jdbi(), fresh);
      assertThat(first.attempts()).as("bounded, not skipped and not dead at once").isEqualTo(1);
      assertThat(first.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
      assertThat(first.failedAt()).isEmpty();
      Row last = row(newer.jdbi(), old);
      assertThat(last.attempts()).isEqualTo(10);
      assertThat(last.failedAt()).contains(T0);
      assertThat(new Rows(newer.jdbi()).auditCount("propagation.unknown_kind_dead_lettered"))
          .isEqualTo(1);
      assertThat(count("instant_propagation_unknown_kind_total", "kind", "unknown_kind"))
          .isEqualTo(2.0);
      assertThat(
              count(
                  "instant_propagation_dead_lettered_total",
                  "reason",
                  "unknown_kind",
                  "kind",
                  "unknown_kind"))
          .isEqualTo(1.0);
      assertThat(provisioner.regrades()).isEmpty();
      for (Meter meter : meters.getMeters()) {
        for (Tag tag : meter.getId().getTags()) {
          assertThat(tag.getValue()).as(meter.getId().getName()).doesNotContain("chaos");
        }
      }
    }
  }

  @Test
  void twoPickersHoldingOpenTransactionsNeverTakeTheSameRow() {
    for (int i = 0; i < 80; i++) {
      enqueue(0);
    }
    PropagationRunner runner = runner();
    List<UUID> first;
    List<UUID> second;
    try (Handle a = db.jdbi().open();
        Handle b = db.jdbi().open()) {
      a.begin();
      first = ids(runner.pick(a, T0));
      b.begin();
      // SKIP LOCKED: b passes a's locked rows instead of waiting for them.
      b.execute("SET LOCAL lock_timeout = '2s'");
      second = ids(runner.pick(b, T0));
      b.commit();
      a.commit();
    }
    assertThat(first).hasSize(50);
    assertThat(second).hasSize(30).doesNotContainAnyElementsOf(first);

    List<UUID> third = db.jdbi().inTransaction(h -> ids(runner.pick(h, T0.plusSeconds(299))));
    assertThat(third).as("leased rows are not due again within the lease").isEmpty();
    List<UUID> afterLease = db.jdbi().inTransaction(h -> ids(runner.pick(h, T0.plusSeconds(300))));
    assertThat(afterLease)
        .as("a crashed picker costs a row five minutes, not an attempt")
        .hasSize(50);
  }

  @Test
  void concurrentPickersRacingOnTheSameRowsPickEachRowOnce() throws Exception {
    for (int i = 0; i < 150; i++) {
      enqueue(0);
    }
    PropagationRunner runner = runner();
    int pickers = 4;
    CyclicBarrier start = new CyclicBarrier(pickers);
    List<Future<List<UUID>>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(pickers)) {
      for (int i = 0; i < pickers; i++) {
        results.add(
            pool.submit(() -> {
              start.await();
              return db.jdbi().inTransaction(h -> ids(runner.pick(h, T0)));
            }));
      }
    }
    List<UUID> all = new ArrayList<>();
    for (Future<List<UUID>> f : results) {
      all.addAll(f.get());
    }
    Set<UUID> distinct = new HashSet<>(all);
    assertThat(all).hasSize(distinct.size()).hasSize(150);
  }

  @Test
  void lastErrorIsScrubbedOfCredentialsAndCapped() {
    provisioner.fail(
        FakeProvisioner.Op.REGRADE,
        new ProvisionerException(
            ProvisionerException.Kind.INTERNAL,
            "connect postgres://usr_abc:hunter2@10.0.0.5:5432/db_abc failed " + "x".repeat(3000),
            null));
    UUID id = enqueue(0);

    tick();

    String error = row(id).lastError().orElseThrow();
    assertThat(error).doesNotContain("hunter2").hasSizeLessThanOrEqualTo(1000).endsWith("...");
    assertThat(error).contains("postgres://***@10.0.0.5");
  }

  @Test
  void withoutAProvisionerNoRowIsPickedAndNoAttemptBurned() {
    UUID id = enqueue(0);

    runner(db.jdbi(), Optional.empty()).run(JobRun.start("propagation_runner"));

    assertThat(row(id).attempts()).isZero();
    assertThat(row(id).nextAttemptAt()).isEqualTo(T0);
  }

  @Test
  void anUnreachablePlatformDatabaseRegradesNothing() {
    PropagationRunner broken =
        new PropagationRunner(
            TestDatabases.unreachable(), Optional.of(provisioner), audit, meters, clock);

    assertThatThrownBy(() -> broken.run(JobRun.start("propagation_runner")))
        .isInstanceOf(RuntimeException.class);
    assertThat(provisioner.calls()).isEmpty();
  }

  private static List<UUID> ids(List<PendingPropagation> picked) {
    return picked.stream().map(PendingPropagation::id).toList();
  }
}
