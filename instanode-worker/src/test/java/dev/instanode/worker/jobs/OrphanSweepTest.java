package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackObjects;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.testkit.MutableClock;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanSweepSettings;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.testing.NamespaceSweepRig;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.StackFixtures;
import dev.instanode.worker.testing.TestDatabases;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code orphan_sweep} on real Postgres and the mock API server in CRUD mode. The mock stamps every
 * namespace it creates with the current {@code creationTimestamp} (a client-set one is
 * overwritten), so age is made by running the job with a clock moved ahead, two hours unless a test
 * says otherwise: every namespace is then past the one-hour grace.
 */
@EnableKubernetesMockClient(crud = true)
class OrphanSweepTest {
  private static final Duration LATER = Duration.ofHours(2);
  private static final Duration GRACE = Duration.ofHours(1);

  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private static StackFixtures fixtures;

  KubernetesMockServer server;
  KubernetesClient client;
  private NamespaceSweepRig rig;
  private SimpleMeterRegistry meters;
  private StackCluster cluster;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("orphan_sweep");
    rows = new Rows(db.jdbi());
    audit = new AuditLog(db.jdbi());
    fixtures = new StackFixtures(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    db.close();
  }

  @BeforeEach
  void clean() {
    fixtures.deleteAll();
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    rig = new NamespaceSweepRig(server, client, db.jdbi(), OrphanSweep.class);
    meters = rig.meters();
    cluster = rig.cluster();
  }

  @AfterEach
  void close() {
    rig.close();
  }

  private OrphanSweep sweep(Jdbi platform, boolean destructive, Duration ahead) {
    return new OrphanSweep(
        platform,
        Optional.of(StackFixtures.parts(fixtures.repository(), cluster, audit, meters, Set.of())),
        audit,
        new OrphanSweepSettings(destructive, GRACE),
        meters,
        Clock.offset(Clock.systemUTC(), ahead));
  }

  private JobReport run(boolean destructive, Duration ahead) {
    return sweep(db.jdbi(), destructive, ahead).run(JobRun.start("orphan_sweep"));
  }

  private JobReport destructiveLater() {
    return run(true, LATER);
  }

  private NamespaceName namespace(NamespaceName name) {
    return rig.namespace(name);
  }

  private boolean exists(NamespaceName name) {
    return rig.exists(name);
  }

  private double counter(String name, String... tags) {
    return rig.counter(name, tags);
  }

  private double gauge(String reason) {
    return rig.gauge(WorkerMetrics.ORPHAN_SWEEP_CANDIDATES, "reason", reason);
  }

  private long auditRows(String kind) {
    return rig.auditRows(kind);
  }

  private long auditRowsWithATeam() {
    return rig.auditRowsWithATeam();
  }

  private List<ILoggingEvent> warnings() {
    return rig.warnings();
  }

  // ---- seed 000, and what counts as live ----

  @Test
  void aLiveStacksNamespaceSurvivesEveryPassThoughItsIdIsNotItsSlug() {
    StackRecord live = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    fixtures.force(live, StackStatus.HEALTHY);
    assertThat(live.id().value().toString()).isNotEqualTo(live.slug().value());
    assertThat(live.namespace()).isEqualTo(NamespaceName.forStack(live.slug()));
    NamespaceName orphan = namespace(NamespaceName.forStack(StackSlug.random()));

    JobReport report = destructiveLater();
    JobReport again = run(true, LATER.plusHours(1));

    assertThat(exists(live.namespace())).as("seed 000: the live stack keeps its runtime").isTrue();
    assertThat(fixtures.status(live)).isEqualTo(StackStatus.HEALTHY);
    assertThat(exists(orphan)).as("the same pass does reap a real orphan").isFalse();
    assertThat(report.count("stacks_live")).isEqualTo(1);
    assertThat(report.count("reaped")).isEqualTo(1);
    assertThat(again.count("stacks_live")).isEqualTo(1);
    assertThat(again.count("reaped")).isZero();
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "stack_no_row")).isEqualTo(1.0);
  }

  @Test
  void aPendingResourceKeepsItsNamespaceFreshOrPastTheGrace() {
    ResourceToken token = ResourceToken.random();
    rows.resource().token(token).tier("pro").status("pending").insert();
    NamespaceName provisioning = namespace(NamespaceName.forCustomer(token));

    JobReport fresh = run(true, Duration.ZERO);
    // A provision stuck pending for two hours is the provisioner reconciler's to settle.
    JobReport late = destructiveLater();

    assertThat(exists(provisioning)).isTrue();
    assertThat(fresh.count("customer_live")).isEqualTo(1);
    assertThat(late.count("customer_live")).isEqualTo(1);
    assertThat(auditRows("deprovision.requested")).isZero();
    assertThat(gauge("customer_no_row")).isZero();
  }

  // ---- candidates: audit-only, then destructive through the chokepoint ----

  @Test
  void withTheFlagOffAnOldNamespaceWithNoRowIsOnlyCountedAndAudited() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));
    ResourceToken expired = ResourceToken.random();
    rows.resource().token(expired).tier("pro").status("expired").insert();
    NamespaceName customer = namespace(NamespaceName.forCustomer(expired));

    JobReport report = run(false, LATER);

    assertThat(exists(stack)).isTrue();
    assertThat(exists(customer)).isTrue();
    assertThat(report.count("audit_only")).isEqualTo(2);
    assertThat(gauge("stack_no_row")).isEqualTo(1.0);
    assertThat(gauge("customer_no_row")).isEqualTo(1.0);
    assertThat(auditRows("orphan.candidate")).isEqualTo(2);
    assertThat(auditRows("deprovision.requested")).isZero();
    assertThat(auditRowsWithATeam()).as("cluster-scoped rows carry no team").isZero();
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "stack_no_row")).isZero();
    assertThat(rig.lines("orphan_sweep.proposed_reap"))
        .hasSize(2)
        .allSatisfy(
            line -> assertThat(line).contains("age=2h", "live_set_size=", "destructive=false"));
  }

  @Test
  void aStandingOrphanIsAuditedOnceADayThoughEveryPassLogsAndCountsIt() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));

    run(false, LATER);
    JobReport again = run(false, LATER);

    assertThat(exists(stack)).isTrue();
    assertThat(again.count("audit_only")).isEqualTo(1);
    assertThat(gauge("stack_no_row")).isEqualTo(1.0);
    assertThat(rig.lines("orphan_sweep.proposed_reap")).hasSize(2);
    assertThat(auditRows("orphan.candidate")).isEqualTo(1);
  }

  @Test
  void withTheFlagOnAnOldNamespaceWithNoRowIsReapedThroughTheAuditedChokepoint() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));
    NamespaceName customer = namespace(NamespaceName.forCustomer(ResourceToken.random()));

    JobReport report = destructiveLater();

    assertThat(exists(stack)).isFalse();
    assertThat(exists(customer)).isFalse();
    assertThat(report.count("reaped")).isEqualTo(2);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "stack_no_row")).isEqualTo(1.0);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "customer_no_row"))
        .isEqualTo(1.0);
    assertThat(
            counter(
                WorkerMetrics.ORPHAN_SWEEP_TEARDOWN,
                "resource_type",
                "customer_namespace",
                "outcome",
                "ok"))
        .isEqualTo(1.0);
    assertThat(auditRows("orphan.candidate")).isEqualTo(2);
    assertThat(auditRows("deprovision.requested")).isEqualTo(2);
    assertThat(auditRows("deprovision.dropped")).isEqualTo(2);
    assertThat(auditRowsWithATeam()).isZero();
    String customerAudit =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT metadata::text FROM audit_log WHERE kind = 'deprovision.dropped'"
                            + " AND resource_type = 'customer_namespace'")
                    .mapTo(String.class)
                    .one());
    assertThat(customerAudit)
        .as("a customer namespace carries a credential: audited masked")
        .doesNotContain(customer.value())
        .contains("customer_no_row");
  }

  /**
   * A row whose team is a tombstone owns nothing: what {@code team_deletion} missed (made as the
   * team was being deleted) is reaped with the reason {@code team_tombstoned}, and a live team's
   * namespaces are untouched.
   */
  @Test
  void aNamespaceWhoseRowsTeamIsATombstoneIsReapedAsTeamTombstoned() {
    TeamId tombstoned = rows.team("pro", "tombstoned");
    StackRecord missed = fixtures.deployed(cluster, Optional.of(tombstoned), Optional.empty());
    ResourceToken token = ResourceToken.random();
    rows.resource().token(token).team(tombstoned).tier("pro").insert();
    NamespaceName customer = namespace(NamespaceName.forCustomer(token));
    TeamId live = rows.team("pro", "active");
    StackRecord kept = fixtures.deployed(cluster, Optional.of(live), Optional.empty());

    run(false, LATER);
    assertThat(gauge("team_tombstoned")).isEqualTo(2.0);
    assertThat(gauge("stack_no_row")).isZero();

    JobReport report = destructiveLater();

    assertThat(exists(missed.namespace())).isFalse();
    assertThat(exists(customer)).isFalse();
    assertThat(exists(kept.namespace())).isTrue();
    assertThat(report.count("reaped")).isEqualTo(2);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "team_tombstoned"))
        .isEqualTo(2.0);
  }

  @Test
  void theGuardStillRefusesANamespaceItDeniesAndNothingIsDeleted() {
    NamespaceName denied = namespace(NamespaceName.forStack(StackSlug.random()));
    OrphanSweep job =
        new OrphanSweep(
            db.jdbi(),
            Optional.of(
                StackFixtures.parts(
                    fixtures.repository(), cluster, audit, meters, Set.of(denied.value()))),
            audit,
            new OrphanSweepSettings(true, GRACE),
            meters,
            Clock.offset(Clock.systemUTC(), LATER));

    JobReport report = job.run(JobRun.start("orphan_sweep"));

    assertThat(exists(denied)).isTrue();
    assertThat(report.count("reap_failed_refused")).isEqualTo(1);
    assertThat(auditRows("deprovision.refused")).isEqualTo(1);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAP_FAILED, "reason", "stack_no_row"))
        .isEqualTo(1.0);
  }

  // ---- grace and age ----

  @Test
  void aNamespaceYoungerThanTheGraceIsNeverACandidate() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));
    NamespaceName customer = namespace(NamespaceName.forCustomer(ResourceToken.random()));

    JobReport report = run(true, GRACE.minusMinutes(1));

    assertThat(exists(stack)).isTrue();
    assertThat(exists(customer)).isTrue();
    assertThat(report.count("stacks_too_young")).isEqualTo(1);
    assertThat(report.count("customer_too_young")).isEqualTo(1);
    assertThat(gauge("stack_no_row")).isZero();
    assertThat(auditRows("orphan.candidate")).isZero();
  }

  @Test
  void aNamespaceWhoseCreationTimestampCannotBeReadIsSkipped() {
    NamespaceName noAge = namespace(NamespaceName.forStack(StackSlug.random()));
    // The CRUD server always stamps creationTimestamp; the list is answered without one instead.
    rig.listWithoutAge(noAge);

    JobReport report = run(true, Duration.ofDays(30));

    assertThat(exists(noAge)).isTrue();
    assertThat(report.count("stacks_age_unknown")).isEqualTo(1);
    assertThat(report.count("reaped")).isZero();
    assertThat(auditRows("orphan.candidate")).isZero();
  }

  @Test
  void aNamespaceWithOurPrefixButNotOurLabelIsLeftAlone() {
    NamespaceName foreign = NamespaceName.forStack(StackSlug.random());
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(foreign.value())
                .endMetadata()
                .build())
        .create();

    JobReport report = destructiveLater();

    assertThat(exists(foreign)).isTrue();
    assertThat(report.count("stacks_not_ours")).isEqualTo(1);
  }

  @Test
  void anotherInstallationsNamespaceOnTheSameClusterIsLeftAlone() {
    // Staging beside production: labelled managed-by instanode, but by another installation,
    // whose rows this one cannot see.
    NamespaceName theirs = NamespaceName.forCustomer(ResourceToken.random());
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(theirs.value())
                .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
                .addToLabels(Installation.LABEL, "production-0b5e")
                .endMetadata()
                .build())
        .create();

    JobReport report = destructiveLater();

    assertThat(exists(theirs)).isTrue();
    assertThat(report.count("customer_not_ours")).isEqualTo(1);
  }

  // ---- evidence first ----

  @Test
  void aFailingNamespaceListDeletesNothingWarnsOncePerPassAndCountsTheSkip() {
    NamespaceName orphan = namespace(NamespaceName.forStack(StackSlug.random()));
    rig.failEveryList();

    JobReport report = destructiveLater();

    assertThat(exists(orphan)).isTrue();
    assertThat(report.count("reaped")).isZero();
    assertThat(report.count("skipped_stacks_namespace_list_error")).isEqualTo(1);
    assertThat(report.count("skipped_customer_namespace_list_error")).isEqualTo(1);
    assertThat(
            counter(
                WorkerMetrics.ORPHAN_SWEEP_SKIPPED,
                "pass",
                "stacks",
                "reason",
                "namespace_list_error"))
        .isEqualTo(1.0);
    assertThat(warnings())
        .filteredOn(e -> e.getFormattedMessage().contains("pass=stacks"))
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("orphan_sweep.skipped"));
    assertThat(warnings()).hasSize(2);
    assertThat(auditRows("deprovision.requested")).isZero();
    assertThat(auditRows("orphan.candidate")).isZero();
  }

  @Test
  void aListThatFailsOnALaterPageDeletesNothingFromTheEarlierOnes() {
    NamespaceName orphan = namespace(NamespaceName.forStack(StackSlug.random()));
    server
        .expect()
        .get()
        .withPath(NamespaceSweepRig.FIRST_PAGE)
        .andReturn(
            200,
            new NamespaceListBuilder()
                .withNewMetadata()
                .withContinue("page-2")
                .endMetadata()
                .addToItems(client.namespaces().withName(orphan.value()).get())
                .build())
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces?continue=page-2&limit=500")
        .andReturn(500, "etcd is unhappy")
        .always();

    JobReport report = destructiveLater();

    assertThat(exists(orphan)).as("an orphan on page 1 of a list that failed on page 2").isTrue();
    assertThat(report.count("skipped_stacks_namespace_list_error")).isEqualTo(1);
    assertThat(auditRows("deprovision.requested")).isZero();
  }

  @Test
  void aFailingDatabaseReadDeletesNothing() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));
    NamespaceName customer = namespace(NamespaceName.forCustomer(ResourceToken.random()));

    JobReport report =
        sweep(TestDatabases.unreachable(), true, LATER).run(JobRun.start("orphan_sweep"));

    assertThat(exists(stack)).isTrue();
    assertThat(exists(customer)).isTrue();
    assertThat(report.count("reaped")).isZero();
    assertThat(report.count("skipped_stacks_db_read_error")).isEqualTo(1);
    assertThat(report.count("skipped_customer_db_read_error")).isEqualTo(1);
    assertThat(report.count("skipped_stuck_db_read_error")).isEqualTo(1);
    assertThat(
            counter(
                WorkerMetrics.ORPHAN_SWEEP_SKIPPED, "pass", "customer", "reason", "db_read_error"))
        .isEqualTo(1.0);
    assertThat(warnings()).hasSize(3);
    assertThat(auditRows("deprovision.requested")).isZero();
  }

  @Test
  void aDatabaseReadThatFailsSkipsItsPassAndIsNeverTakenForAnEmptyLiveSet() {
    NamespaceName stack = namespace(NamespaceName.forStack(StackSlug.random()));
    NamespaceName customer = namespace(NamespaceName.forCustomer(ResourceToken.random()));
    // The stacks pass's live-set read gets the one refused connection; everything after works.
    Jdbi blinking = Jdbi.create(TestDatabases.failingFirst(db.dataSource(), 1));

    JobReport report = sweep(blinking, true, LATER).run(JobRun.start("orphan_sweep"));

    assertThat(exists(stack)).as("its pass could not read its live set: nothing decided").isTrue();
    assertThat(exists(customer)).as("the next pass read its own live set and acted").isFalse();
    assertThat(report.count("skipped_stacks_db_read_error")).isEqualTo(1);
    assertThat(
            counter(
                WorkerMetrics.ORPHAN_SWEEP_SKIPPED, "pass", "stacks", "reason", "db_read_error"))
        .isEqualTo(1.0);
    assertThat(warnings())
        .filteredOn(e -> e.getFormattedMessage().startsWith("orphan_sweep.skipped"))
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("pass=stacks"));
  }

  @Test
  void aRowThatAppearsBetweenTheVerdictAndTheReapIsNotReaped() {
    StackSlug slug = StackSlug.random();
    NamespaceName racing = namespace(NamespaceName.forStack(slug));
    // The row is committed while the job announces its proposed reap: after the page's live set
    // was read, before the reap.
    JobReport report =
        rig.whenLogged(
            "orphan_sweep.proposed_reap",
            line ->
                rows.execute(
                    "INSERT INTO stacks (slug, namespace, name, tier) VALUES (?, ?, 'app',"
                        + " 'anonymous')",
                    slug.value(),
                    racing.value()),
            this::destructiveLater);

    assertThat(exists(racing)).isTrue();
    assertThat(report.count("reconfirm_live")).isEqualTo(1);
    assertThat(report.count("reaped")).isZero();
    assertThat(auditRows("deprovision.requested")).isZero();
  }

  // ---- the stuck pass ----

  /** A pod of {@code web} whose container waits for {@code reason}. */
  private void waitingPod(StackRecord row, String name, String reason) {
    client
        .pods()
        .inNamespace(row.namespace().value())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(StackObjects.SERVICE, "web")
                .endMetadata()
                .withNewStatus()
                .addNewContainerStatus()
                .withName("web")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
  }

  @Test
  void aStackDeployingForOverThirtyMinutesWhosePodsAllCrashIsFailedAsAFailedBuild() {
    StackRecord stuck = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    waitingPod(stuck, "web-1", "CrashLoopBackOff");
    waitingPod(stuck, "web-2", "CrashLoopBackOff");
    StackRecord starting = fixtures.deployed(cluster, Optional.empty(), Optional.empty());
    waitingPod(starting, "web-1", "ContainerCreating");

    // One job, one gauge: the clock moves instead.
    MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofMinutes(29)));
    OrphanSweep job =
        new OrphanSweep(
            db.jdbi(),
            Optional.of(
                StackFixtures.parts(fixtures.repository(), cluster, audit, meters, Set.of())),
            audit,
            OrphanSweepSettings.defaults(),
            meters,
            clock);

    JobReport early = job.run(JobRun.start("orphan_sweep"));
    assertThat(fixtures.status(stuck)).isEqualTo(StackStatus.DEPLOYING);
    assertThat(early.count("stuck_marked_failed")).isZero();

    clock.advance(Duration.ofMinutes(2));
    JobReport late = job.run(JobRun.start("orphan_sweep"));

    assertThat(late.count("stuck_marked_failed")).isEqualTo(1);
    StackRecord failed = fixtures.find(stuck).orElseThrow();
    assertThat(failed.status()).isEqualTo(StackStatus.FAILED);
    assertThat(failed.services())
        .singleElement()
        .satisfies(s -> assertThat(s.reason().orElseThrow()).contains("CrashLoopBackOff"));
    assertThat(fixtures.status(starting)).isEqualTo(StackStatus.DEPLOYING);
    assertThat(exists(stuck.namespace())).as("a failed build keeps its namespace").isTrue();
    assertThat(gauge("failed_build")).isEqualTo(1.0);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_REAPED, "reason", "failed_build")).isEqualTo(1.0);

    clock.advance(Duration.ofMinutes(1));
    job.run(JobRun.start("orphan_sweep"));
    assertThat(gauge("failed_build")).as("failed now, no longer a candidate").isZero();
  }

  // ---- no cluster ----

  @Test
  void withoutAClusterTheSweepSkipsWithAWarn() {
    JobReport report =
        new OrphanSweep(
                db.jdbi(),
                Optional.empty(),
                audit,
                new OrphanSweepSettings(true, GRACE),
                meters,
                Clock.systemUTC())
            .run(JobRun.start("orphan_sweep"));

    assertThat(report.count("skipped_no_cluster")).isEqualTo(1);
    assertThat(counter(WorkerMetrics.ORPHAN_SWEEP_SKIPPED, "pass", "all", "reason", "no_cluster"))
        .isEqualTo(1.0);
    assertThat(warnings()).singleElement();
  }
}
