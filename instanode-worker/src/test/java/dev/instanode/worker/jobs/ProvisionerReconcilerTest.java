package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceType;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvisionerReconcilerTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("reconcile");
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
    meters = new SimpleMeterRegistry();
  }

  private JobReport run() {
    return new ProvisionerReconciler(
            db.jdbi(), Optional.of(provisioner), audit, meters, Clock.systemUTC())
        .run(JobRun.start("provisioner_reconciler"));
  }

  private static Instant minutesAgo(int minutes) {
    return Instant.now().minus(Duration.ofMinutes(minutes));
  }

  /** What the api leaves behind when it dies between insert and activate. */
  private Rows.Inserted abandonedPending(int minutesOld) {
    return rows.resource()
        .status("pending")
        .connectionUrl(null)
        .providerResourceId(null)
        .createdAt(minutesAgo(minutesOld))
        .insert();
  }

  @Test
  void aPendingRowNobodyGotCredentialsForIsTornDownThenMarkedFailed() {
    Rows.Inserted r = abandonedPending(6);
    AtomicReference<String> statusDuringTeardown = new AtomicReference<>();
    provisioner.onCall(req -> statusDuringTeardown.set(rows.status(r.id())));

    JobReport report = run();

    assertThat(provisioner.deprovisions())
        .singleElement()
        .satisfies(d -> {
          assertThat(d.token()).isEqualTo(r.token());
          assertThat(d.type()).isEqualTo(ResourceType.POSTGRES);
          assertThat(d.reason()).isEqualTo("reconcile_abandoned");
        });
    assertThat(provisioner.storageRequests()).as("no probe without credentials").isEmpty();
    assertThat(statusDuringTeardown.get()).isEqualTo("pending");
    assertThat(rows.status(r.id())).isEqualTo("failed");
    assertThat(report.count("abandoned")).isEqualTo(1);
    assertThat(
            meters
                .get("instant_reconcile_abandoned_total")
                .tag("resource_type", "postgres")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(rows.auditCount("resource.reconcile_abandoned")).isEqualTo(1);
  }

  @Test
  void aProvisionStillInsideItsGraceIsNeverTouched() {
    Rows.Inserted r = abandonedPending(4);

    assertThat(run().isIdle()).isTrue();

    assertThat(provisioner.calls()).isEmpty();
    assertThat(rows.status(r.id())).isEqualTo("pending");
  }

  @Test
  void aPendingRowWithStoredCredentialsAndLiveInfrastructureIsActivated() {
    Rows.Inserted r = rows.resource().status("pending").createdAt(minutesAgo(10)).insert();

    run();

    assertThat(provisioner.storageRequests())
        .singleElement()
        .satisfies(s -> assertThat(s.token()).isEqualTo(r.token()));
    assertThat(provisioner.deprovisions()).isEmpty();
    assertThat(rows.status(r.id())).isEqualTo("active");
    assertThat(rows.auditCount("resource.reconcile_recovered")).isEqualTo(1);
  }

  @Test
  void aPendingRowWhoseDatabaseIsMissingIsTornDown() {
    Rows.Inserted r = rows.resource().status("pending").createdAt(minutesAgo(10)).insert();
    provisioner.answerStorageBytes(0);

    run();

    assertThat(provisioner.deprovisions()).hasSize(1);
    assertThat(rows.status(r.id())).isEqualTo("failed");
  }

  @Test
  void aProbeThatFailsOrCannotTellDecidesNothing() {
    Rows.Inserted pg = rows.resource().status("pending").createdAt(minutesAgo(10)).insert();
    provisioner.fail(FakeProvisioner.Op.STORAGE);

    JobReport first = run();

    assertThat(provisioner.deprovisions()).isEmpty();
    assertThat(rows.status(pg.id())).isEqualTo("pending");
    assertThat(first.count("waiting")).isEqualTo(1);

    rows.execute("DELETE FROM resources");
    provisioner.reset();
    provisioner.answerStorageBytes(0);
    Rows.Inserted redis =
        rows.resource().type("redis").status("pending").createdAt(minutesAgo(10)).insert();
    run();
    assertThat(provisioner.deprovisions())
        .as("an empty keyspace is not proof of absence")
        .isEmpty();
    assertThat(rows.status(redis.id())).isEqualTo("pending");
  }

  @Test
  void aFailedTeardownLeavesTheRowPendingForTheNextRun() {
    Rows.Inserted r = abandonedPending(6);
    provisioner.fail(FakeProvisioner.Op.DEPROVISION);

    JobReport report = run();

    assertThat(rows.status(r.id())).isEqualTo("pending");
    assertThat(report.count("deprovision_failed")).isEqualTo(1);
    assertThat(
            meters
                .get("instant_reconcile_failed_total")
                .tag("step", "deprovision")
                .counter()
                .count())
        .isEqualTo(1.0);

    provisioner.heal(FakeProvisioner.Op.DEPROVISION);
    run();
    assertThat(rows.status(r.id())).isEqualTo("failed");
  }

  /** A delete whose drop failed, or whose process died, after it recorded 'deleting'. */
  private Rows.Inserted interruptedDelete(int minutesOld) {
    Rows.Inserted r = rows.resource().status("deleting").connectionUrl(null).insert();
    rows.execute(
        "UPDATE resources SET updated_at = now() - make_interval(mins => ?) WHERE id = ?",
        minutesOld,
        r.id().value());
    return r;
  }

  @Test
  void anInterruptedDeleteIsDroppedAgainAndOnlyThenMarkedDeleted() {
    Rows.Inserted stuck = interruptedDelete(3);
    Rows.Inserted inFlight = interruptedDelete(0);
    AtomicReference<String> statusDuringDrop = new AtomicReference<>();
    provisioner.onCall(req -> statusDuringDrop.set(rows.status(stuck.id())));

    JobReport report = run();

    assertThat(provisioner.deprovisions())
        .singleElement()
        .satisfies(d -> {
          assertThat(d.token()).isEqualTo(stuck.token());
          assertThat(d.reason()).isEqualTo("delete_resumed");
        });
    assertThat(statusDuringDrop.get()).isEqualTo("deleting");
    assertThat(rows.status(stuck.id())).isEqualTo("deleted");
    assertThat(rows.status(inFlight.id())).as("inside its grace").isEqualTo("deleting");
    assertThat(report.count("delete_finished")).isEqualTo(1);
    assertThat(rows.auditCount("resource.deleted")).isEqualTo(1);
  }

  @Test
  void anInterruptedDeleteWhoseDropFailsAgainStaysDeleting() {
    Rows.Inserted stuck = interruptedDelete(3);
    provisioner.fail(FakeProvisioner.Op.DEPROVISION);

    JobReport report = run();

    assertThat(rows.status(stuck.id())).isEqualTo("deleting");
    assertThat(report.count("deprovision_failed")).isEqualTo(1);
    assertThat(rows.auditCount("resource.deleted")).isZero();
  }
}
