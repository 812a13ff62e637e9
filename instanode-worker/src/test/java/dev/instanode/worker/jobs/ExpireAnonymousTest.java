package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.Plans;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpireAnonymousTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;
  private Instant now;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("expire");
    rows = new Rows(db.jdbi());
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    db.close();
  }

  @BeforeEach
  void clean() {
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    rows.execute("DELETE FROM teams");
    meters = new SimpleMeterRegistry();
    now = Instant.now();
  }

  private ExpireAnonymous job(Optional<Provisioner> p, int pageSize) {
    return new ExpireAnonymous(
        db.jdbi(), p, audit, Plans.bundled(), meters, Clock.systemUTC(), pageSize);
  }

  private JobReport run() {
    return job(Optional.of(provisioner), ExpireAnonymous.PAGE)
        .run(JobRun.start("expire_anonymous"));
  }

  private double counter(String name) {
    var c = meters.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private Rows.Inserted expiredAnonymous() {
    return rows.resource().expiresAt(now.minusSeconds(60)).insert();
  }

  @Test
  void tearsDownAnExpiredAnonymousResourceThenMarksItExpired() {
    Rows.Inserted r =
        rows.resource()
            .expiresAt(now.minusSeconds(60))
            .providerResourceId("local:0;pooltok:pool-00000000-0000-4000-8000-0000000000aa")
            .insert();
    AtomicReference<String> statusDuringTeardown = new AtomicReference<>();
    provisioner.onCall(req -> statusDuringTeardown.set(rows.status(r.id())));

    JobReport report = run();

    assertThat(provisioner.deprovisions())
        .singleElement()
        .satisfies(d -> {
          assertThat(d.token()).isEqualTo(r.token());
          assertThat(d.type()).isEqualTo(ResourceType.POSTGRES);
          assertThat(d.providerResourceId().wire())
              .as("the pooled naming travels to the provisioner unchanged")
              .isEqualTo("local:0;pooltok:pool-00000000-0000-4000-8000-0000000000aa");
          assertThat(d.reason()).isEqualTo("expired");
        });
    assertThat(statusDuringTeardown.get())
        .as("teardown happens before bookkeeping")
        .isEqualTo("active");
    assertThat(rows.status(r.id())).isEqualTo("expired");
    assertThat(report.count("expired")).isEqualTo(1);
    assertThat(
            meters
                .get("instant_expired_resources_total")
                .tag("resource_type", "postgres")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(rows.auditCount("resource.expired")).isEqualTo(1);
    String url =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT coalesce(connection_url, 'none') FROM resources WHERE id = :id")
                    .bind("id", r.id().value())
                    .mapTo(String.class)
                    .one());
    assertThat(url).as("no credentials kept for infrastructure that is gone").isEqualTo("none");
  }

  @Test
  void expiresFreeResourcesOfActiveTeamsWhateverTheirLiveStatus() {
    TeamId team = rows.team("free", "active");
    Rows.Inserted redis =
        rows.resource()
            .team(team)
            .tier("free")
            .type("redis")
            .expiresAt(now.minusSeconds(5))
            .insert();
    Rows.Inserted paused =
        rows.resource()
            .team(team)
            .tier("free")
            .status("paused")
            .expiresAt(now.minusSeconds(5))
            .insert();

    run();

    assertThat(provisioner.deprovisions())
        .extracting(DeprovisionRequest::type)
        .containsExactlyInAnyOrder(ResourceType.REDIS, ResourceType.POSTGRES);
    assertThat(rows.status(redis.id())).isEqualTo("expired");
    assertThat(rows.status(paused.id())).isEqualTo("expired");
  }

  @Test
  void leavesEveryRowThatDoesNotQualify() {
    TeamId paying = rows.team("pro", "active");
    TeamId leaving = rows.team("free", "deletion_pending");
    List<Rows.Inserted> keep =
        List.of(
            rows.resource().expiresAt(now.plusSeconds(600)).insert(),
            rows.resource().team(paying).tier("pro").expiresAt(now.minusSeconds(60)).insert(),
            rows.resource().status("pending").expiresAt(now.minusSeconds(60)).insert(),
            rows.resource().status("failed").expiresAt(now.minusSeconds(60)).insert(),
            rows.resource().team(leaving).tier("free").expiresAt(now.minusSeconds(60)).insert(),
            rows.resource().team(paying).tier("anonymous").expiresAt(now.minusSeconds(60)).insert(),
            rows.resource().insert());

    JobReport report = run();

    assertThat(provisioner.calls()).isEmpty();
    assertThat(report.isIdle()).isTrue();
    for (Rows.Inserted r : keep) {
      assertThat(rows.status(r.id())).isIn("active", "pending", "failed");
    }
  }

  @Test
  void aFailedTeardownLeavesTheRowLiveCountsItAndTheNextRunFinishesIt() {
    Rows.Inserted r = expiredAnonymous();
    provisioner.fail(FakeProvisioner.Op.DEPROVISION);

    JobReport failed = run();

    assertThat(rows.status(r.id())).as("never expired without teardown").isEqualTo("active");
    assertThat(failed.count("deprovision_failed")).isEqualTo(1);
    assertThat(counter("instant_expire_deprovision_failed_total")).isEqualTo(1.0);
    assertThat(rows.auditCount("resource.expired")).isZero();

    provisioner.heal(FakeProvisioner.Op.DEPROVISION);
    run();
    assertThat(rows.status(r.id())).isEqualTo("expired");
  }

  @Test
  void aRowClaimedWhileTheJobWaitsForItsLockIsSkippedAndCounted() throws Exception {
    Rows.Inserted r = expiredAnonymous();
    TeamId team = rows.team("hobby", "active");
    try (Handle claimer = db.jdbi().open()) {
      claimer.begin();
      claimer.execute("SELECT 1 FROM resources WHERE id = ? FOR UPDATE", r.id().value());

      // The candidate query still sees the row as expirable; the job then blocks on our lock.
      CompletableFuture<JobReport> running = CompletableFuture.supplyAsync(this::run);
      await().atMost(Duration.ofSeconds(4)).until(() -> waitingOnLocks() > 0);

      claimer.execute(
          "UPDATE resources SET team_id = ?, tier = 'hobby', expires_at = NULL WHERE id = ?",
          team.value(),
          r.id().value());
      claimer.commit();

      JobReport report = running.get();
      assertThat(report.count("race_skipped")).isEqualTo(1);
    }
    assertThat(provisioner.deprovisions()).as("the claimed resource is never torn down").isEmpty();
    assertThat(rows.status(r.id())).isEqualTo("active");
    assertThat(counter("instant_expire_race_skipped_total")).isEqualTo(1.0);
  }

  @Test
  void withoutAProvisionerNothingIsExpired() {
    Rows.Inserted r = expiredAnonymous();

    JobReport report =
        job(Optional.empty(), ExpireAnonymous.PAGE).run(JobRun.start("expire_anonymous"));

    assertThat(report.count("skipped_no_provisioner")).isEqualTo(1);
    assertThat(rows.status(r.id())).isEqualTo("active");
  }

  @Test
  void aTypeNoBackendCanTearDownStaysLive() {
    // A kind the schema allows and this platform does not run yet.
    Rows.Inserted mongo = rows.resource().type("mongodb").expiresAt(now.minusSeconds(60)).insert();

    run();

    assertThat(provisioner.calls()).isEmpty();
    assertThat(rows.status(mongo.id())).isEqualTo("active");
  }

  @Test
  void pagesPastFailuresToReachEveryExpiredRowAndASecondRunChangesNothing() {
    List<Rows.Inserted> expired = IntStream.range(0, 7).mapToObj(i -> expiredAnonymous()).toList();
    Rows.Inserted stuck = expired.get(1);
    provisioner.failWhen(
        req -> req instanceof DeprovisionRequest d && d.token().equals(stuck.token()));

    JobReport report = job(Optional.of(provisioner), 3).run(JobRun.start("expire_anonymous"));

    assertThat(report.count("expired")).isEqualTo(6);
    assertThat(report.count("deprovision_failed")).isEqualTo(1);
    assertThat(rows.status(stuck.id())).isEqualTo("active");

    provisioner.reset();
    provisioner.failWhen(
        req -> req instanceof DeprovisionRequest d && d.token().equals(stuck.token()));
    run();
    assertThat(provisioner.deprovisions())
        .as("only the row that is still live is tried again")
        .extracting(DeprovisionRequest::token)
        .containsExactly(stuck.token());
  }

  @Test
  void anUnreachablePlatformDatabaseTearsNothingDown() {
    ExpireAnonymous job =
        new ExpireAnonymous(
            TestDatabases.unreachable(),
            Optional.of(provisioner),
            audit,
            Plans.bundled(),
            meters,
            Clock.systemUTC());

    assertThatThrownBy(() -> job.run(JobRun.start("expire_anonymous")))
        .isInstanceOf(RuntimeException.class);
    assertThat(provisioner.calls()).isEmpty();
  }

  private static int waitingOnLocks() {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND wait_event_type = 'Lock'")
                .mapTo(Integer.class)
                .one());
  }
}
