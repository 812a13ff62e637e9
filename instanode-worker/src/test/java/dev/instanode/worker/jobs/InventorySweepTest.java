package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanSweepSettings;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code inventory_sweep} on real Postgres for the rows, the provisioner faked: only what no row
 * names, no pool item tracks and is older than the grace by its own stamp is a candidate, and only
 * the destructive flag drops it, after reading its key again.
 */
class InventorySweepTest {
  private static final Duration GRACE = Duration.ofHours(1);
  private static final Optional<Instant> OLD =
      Optional.of(Instant.now().minus(Duration.ofHours(3)));
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;

  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("inventory_sweep");
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

  private JobReport sweep(boolean destructive) {
    return sweep(db.jdbi(), destructive);
  }

  private JobReport sweep(Jdbi on, boolean destructive) {
    return new InventorySweep(
            on,
            Optional.of(provisioner),
            audit,
            new OrphanSweepSettings(destructive, GRACE),
            meters,
            Clock.systemUTC())
        .run(JobRun.start("inventory_sweep"));
  }

  private void holds(ResourceType type, InventoryItem... items) {
    provisioner.answerInventory(type, new InventoryReport(List.of(items)));
  }

  private double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private long candidateAudits() {
    return rows.auditCount("orphan.candidate");
  }

  @Test
  void onlyWhatNoRowNamesNoPoolTracksAndIsOldIsACandidateAndTheFlagOffDropsNothing() {
    ResourceToken orphan = ResourceToken.random();
    ResourceToken failedRow = rows.resource().status("failed").insert().token();
    PoolToken claimedPoolItem = PoolToken.random();
    rows.resource().providerResourceId("local:0;pooltok:" + claimedPoolItem.value()).insert();
    holds(
        ResourceType.POSTGRES,
        new InventoryItem(orphan, 2, OLD, false),
        new InventoryItem(failedRow, 2, OLD, false),
        new InventoryItem(claimedPoolItem, 2, OLD, false),
        new InventoryItem(PoolToken.random(), 2, OLD, true),
        new InventoryItem(ResourceToken.random(), 2, Optional.empty(), false),
        new InventoryItem(
            ResourceToken.random(), 1, Optional.of(Instant.now().minusSeconds(60)), false));

    JobReport report = sweep(false);

    assertThat(report.count("postgres_orphan")).isEqualTo(1);
    assertThat(report.count("postgres_named")).as("in any status, and by pool token").isEqualTo(2);
    assertThat(report.count("postgres_pooled")).isEqualTo(1);
    assertThat(report.count("postgres_age_unknown")).isEqualTo(1);
    assertThat(report.count("postgres_too_young")).isEqualTo(1);
    assertThat(report.count("audit_only")).isEqualTo(1);
    assertThat(provisioner.orphanReaps()).isEmpty();
    assertThat(candidateAudits()).isEqualTo(1);
    assertThat(
            meters
                .find(WorkerMetrics.ORPHAN_SWEEP_CANDIDATES)
                .tag("reason", "backend_no_row")
                .gauge()
                .value())
        .isEqualTo(1.0);
  }

  @Test
  void withTheFlagOnAnOrphanIsDroppedThroughTheProvisioner() {
    ResourceToken orphan = ResourceToken.random();
    PoolToken lostPoolItem = PoolToken.random();
    holds(ResourceType.POSTGRES, new InventoryItem(orphan, 2, OLD, false));
    holds(ResourceType.REDIS, new InventoryItem(lostPoolItem, 1, OLD, false));

    JobReport report = sweep(true);

    assertThat(report.count("reaped")).isEqualTo(2);
    assertThat(provisioner.orphanReaps())
        .extracting(OrphanReapRequest::key, OrphanReapRequest::type, OrphanReapRequest::reason)
        .containsExactlyInAnyOrder(
            tuple(orphan, ResourceType.POSTGRES, "backend_no_row"),
            tuple(lostPoolItem, ResourceType.REDIS, "backend_no_row"));
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "backend_no_row"))
        .isEqualTo(2.0);
  }

  @Test
  void aRowRecordedAfterTheSurveyKeepsItsObjects() {
    ResourceToken orphan = ResourceToken.random();
    holds(ResourceType.POSTGRES, new InventoryItem(orphan, 2, OLD, false));
    // The redis inventory is read after postgres was judged: the row lands in between.
    provisioner.onCall(request -> {
      if (request instanceof InventoryRequest r && r.type() == ResourceType.REDIS) {
        rows.resource().token(orphan).status("pending").insert();
      }
    });

    JobReport report = sweep(true);

    assertThat(report.count("postgres_orphan")).isEqualTo(1);
    assertThat(report.count("reconfirm_live")).isEqualTo(1);
    assertThat(provisioner.orphanReaps()).isEmpty();
  }

  @Test
  void anInventoryThatCouldNotBeReadDecidesNothingForItsType() {
    ResourceToken orphan = ResourceToken.random();
    holds(ResourceType.REDIS, new InventoryItem(orphan, 1, OLD, false));
    provisioner.failWhen(
        request -> request instanceof InventoryRequest r && r.type() == ResourceType.POSTGRES);

    JobReport report = sweep(true);

    assertThat(report.count("skipped_backend_postgres_inventory_error")).isEqualTo(1);
    assertThat(report.count("reaped")).as("the other type still runs").isEqualTo(1);
    assertThat(
            counter(
                WorkerMetrics.ORPHAN_SWEEP_SKIPPED,
                "pass",
                "backend_postgres",
                "reason",
                "inventory_error"))
        .isEqualTo(1.0);
  }

  @Test
  void rowsThatCouldNotBeReadAreNeverTakenForNoRows() {
    holds(ResourceType.POSTGRES, new InventoryItem(ResourceToken.random(), 2, OLD, false));
    holds(ResourceType.REDIS, new InventoryItem(ResourceToken.random(), 1, OLD, false));

    JobReport report = sweep(TestDatabases.unreachable(), true);

    assertThat(report.count("skipped_backend_postgres_db_error")).isEqualTo(1);
    assertThat(report.count("skipped_backend_redis_db_error")).isEqualTo(1);
    assertThat(provisioner.orphanReaps()).isEmpty();
  }
}
