package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Plans;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EntitlementReconcilerTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;
  private TeamId team;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("entitlement");
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
    team = rows.team("pro", "active");
  }

  private JobReport run(int pageSize) {
    return new EntitlementReconciler(
            db.jdbi(),
            Optional.of(provisioner),
            Plans.bundled(),
            audit,
            meters,
            Clock.systemUTC(),
            pageSize)
        .run(JobRun.start("entitlement_reconciler"));
  }

  private Rows.Inserted pro(Integer applied) {
    return rows.resource().team(team).tier("pro").appliedConnLimit(applied).insert();
  }

  @Test
  void reachesEveryDriftedRowAcrossPagesAndLeavesCorrectRowsAlone() {
    List<Rows.Inserted> drifted = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      drifted.add(pro(i % 2 == 0 ? null : 2));
    }
    List<Rows.Inserted> correct = List.of(pro(20), pro(20), pro(20));

    JobReport report = run(5);

    assertThat(provisioner.regrades())
        .extracting(RegradeRequest::token)
        .containsExactlyInAnyOrderElementsOf(drifted.stream().map(Rows.Inserted::token).toList());
    for (Rows.Inserted r : drifted) {
      assertThat(rows.appliedConnLimit(r.id())).contains(20);
    }
    for (Rows.Inserted r : correct) {
      assertThat(rows.appliedConnLimit(r.id())).contains(20);
    }
    assertThat(report.count("drift_detected")).isEqualTo(23);
    assertThat(report.count("corrected")).isEqualTo(23);
    assertThat(
            meters
                .get("instant_entitlement_drift_corrected_total")
                .tag("resource_type", "postgres")
                .counter()
                .count())
        .isEqualTo(23.0);
    assertThat(rows.auditCount("entitlement.drift_corrected")).isEqualTo(23);

    provisioner.reset();
    assertThat(run(5).isIdle()).as("a second run finds nothing").isTrue();
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void comparesAgainstTheResourcesOwnTierIncludingUnlimited() {
    TeamId big = rows.team("team", "active");
    Rows.Inserted unlimitedOk =
        rows.resource().team(big).tier("team").appliedConnLimit(-1).insert();
    Rows.Inserted unlimitedDrifted =
        rows.resource().team(big).tier("team").appliedConnLimit(20).insert();
    Rows.Inserted hobby = rows.resource().team(team).tier("hobby").appliedConnLimit(20).insert();

    run(200);

    assertThat(provisioner.regrades())
        .extracting(RegradeRequest::token, RegradeRequest::tier)
        .containsExactlyInAnyOrder(
            Tuple.tuple(unlimitedDrifted.token(), Tier.TEAM),
            Tuple.tuple(hobby.token(), Tier.HOBBY));
    assertThat(rows.appliedConnLimit(unlimitedOk.id())).contains(-1);
    assertThat(rows.appliedConnLimit(unlimitedDrifted.id())).contains(-1);
    assertThat(rows.appliedConnLimit(hobby.id())).contains(8);
  }

  @Test
  void skipsWhatIsNotAPaidActivePostgresResource() {
    rows.resource().tier("anonymous").appliedConnLimit(99).insert();
    rows.resource().team(team).tier("free").appliedConnLimit(99).insert();
    rows.resource().team(team).tier("pro").status("suspended").appliedConnLimit(99).insert();
    rows.resource().team(team).tier("pro").type("redis").insert();
    rows.resource()
        .team(team)
        .tier("pro")
        .appliedConnLimit(99)
        .expiresAt(Instant.now().minusSeconds(60))
        .insert();

    JobReport report = run(200);

    assertThat(provisioner.calls()).isEmpty();
    assertThat(report.isIdle()).isTrue();
  }

  @Test
  void aFailedOrSkippedRegradeLeavesTheRowAsItWasAndTheRestAreStillCorrected() {
    Rows.Inserted unreachable = pro(2);
    Rows.Inserted skipped = pro(2);
    Rows.Inserted fine = pro(null);
    ResourceToken down = unreachable.token();
    provisioner.failWhen(req -> req instanceof RegradeRequest r && r.token().equals(down));
    provisioner.answerRegrade(r ->
        r.token().equals(skipped.token())
            ? RegradeResult.skipped(2, "namespace not found")
            : RegradeResult.applied(20));

    JobReport report = run(200);

    assertThat(rows.appliedConnLimit(unreachable.id())).contains(2);
    assertThat(rows.appliedConnLimit(skipped.id())).contains(2);
    assertThat(rows.appliedConnLimit(fine.id())).contains(20);
    assertThat(report.count("regrade_failed")).isEqualTo(2);
    assertThat(meters.get("instant_entitlement_regrade_failed_total").counter().count())
        .isEqualTo(2.0);
  }
}
