package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanDbSweepSettings;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.testing.NamespaceSweepRig;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.StackFixtures;
import dev.instanode.worker.testing.TestDatabases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code orphan_db_sweep} (seed 001) on real Postgres and the mock API server in CRUD mode. The
 * mock stamps every namespace with the current {@code creationTimestamp}, so age is made by running
 * the job with its clock moved ahead: two hours unless a test says otherwise, past the one-hour
 * grace.
 */
@EnableKubernetesMockClient(crud = true)
class OrphanDbSweepTest {
  private static final Duration LATER = Duration.ofHours(2);
  private static final Duration GRACE = Duration.ofHours(1);
  private static final OrphanDbSweepSettings OFF = new OrphanDbSweepSettings(false, false);
  private static final OrphanDbSweepSettings AUDIT_ONLY = new OrphanDbSweepSettings(true, false);
  private static final OrphanDbSweepSettings ARMED = new OrphanDbSweepSettings(true, true);

  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private static StackFixtures fixtures;

  KubernetesMockServer server;
  KubernetesClient client;
  private NamespaceSweepRig rig;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("orphan_db_sweep");
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
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    rig = new NamespaceSweepRig(server, client, db.jdbi(), OrphanDbSweep.class);
  }

  @AfterEach
  void close() {
    rig.close();
  }

  private OrphanDbSweep sweep(Jdbi platform, OrphanDbSweepSettings settings, Duration ahead) {
    return new OrphanDbSweep(
        platform,
        Optional.of(
            StackFixtures.parts(
                fixtures.repository(), rig.cluster(), audit, rig.meters(), Set.of())),
        audit,
        settings,
        GRACE,
        rig.meters(),
        Clock.offset(Clock.systemUTC(), ahead));
  }

  private JobReport run(OrphanDbSweepSettings settings, Duration ahead) {
    return sweep(db.jdbi(), settings, ahead).run(JobRun.start("orphan_db_sweep"));
  }

  private NamespaceName customerNamespace(ResourceToken token) {
    return rig.namespace(NamespaceName.forCustomer(token));
  }

  /** A token whose only row is {@code type} in {@code status}, and its namespace. */
  private NamespaceName withRow(String type, String status) {
    ResourceToken token = ResourceToken.random();
    rows.resource().token(token).type(type).tier("pro").status(status).insert();
    return customerNamespace(token);
  }

  private double current(String kind) {
    return rig.gauge(WorkerMetrics.ORPHAN_DB_SWEEP_CANDIDATES_CURRENT, "kind", kind);
  }

  private double total(String kind) {
    return rig.counter(WorkerMetrics.ORPHAN_DB_SWEEP_CANDIDATES, "kind", kind);
  }

  private Optional<String> auditedKind(NamespaceName name) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT metadata->>'kind' FROM audit_log WHERE kind = 'orphan.candidate'"
                        + " AND metadata->>'namespace' = :ns")
                .bind("ns", name.masked())
                .mapTo(String.class)
                .findOne());
  }

  // ---- the master flag ----

  @Test
  void switchedOffItIsADebugNoOpThatListsReadsCountsAndAuditsNothingEvenWithTheDestructiveFlag() {
    NamespaceName orphan = customerNamespace(ResourceToken.random());
    int requests = server.getRequestCount();

    // Destructive alone arms nothing; a database that cannot answer shows nothing was read.
    JobReport report =
        sweep(TestDatabases.unreachable(), new OrphanDbSweepSettings(false, true), LATER)
            .run(JobRun.start("orphan_db_sweep"));

    assertThat(server.getRequestCount()).as("no namespace list").isEqualTo(requests);
    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.counts()).containsKey("disabled");
    assertThat(report.isIdle()).as("an idle tick, logged at DEBUG by the worker").isTrue();
    assertThat(rig.logged())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
          assertThat(e.getFormattedMessage()).startsWith("orphan_db_sweep.disabled");
        });
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(total("customer_namespace")).isZero();
    assertThat(current("customer_namespace")).isZero();
  }

  // ---- what counts as live ----

  @Test
  void aPendingRowKeepsItsNamespaceFreshOrPastTheGraceAndSoDoesADeletingOne() {
    NamespaceName provisioning = withRow("postgres", "pending");
    // A delete in flight is the provisioner reconciler's to finish, never raced by a sweep.
    NamespaceName deleting = withRow("redis", "deleting");

    JobReport fresh = run(ARMED, Duration.ZERO);
    JobReport late = run(ARMED, LATER);

    assertThat(rig.exists(provisioning)).isTrue();
    assertThat(rig.exists(deleting)).isTrue();
    assertThat(fresh.count("customer_live")).isEqualTo(2);
    assertThat(late.count("customer_live")).isEqualTo(2);
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(rig.auditRows("deprovision.requested")).isZero();
    assertThat(current("customer_namespace")).isZero();
    assertThat(current("redis_namespace")).isZero();
  }

  // ---- candidates and their kind ----

  @Test
  void anOldNamespaceWithNoLiveRowIsACandidateOfTheKindItsLatestEndedRowSays() {
    NamespaceName deletedRedis = withRow("redis", "deleted");
    NamespaceName expiredRedis = withRow("redis", "expired");
    NamespaceName deletedPostgres = withRow("postgres", "deleted");
    // Failed is not live, but not a deleted or expired row either: nothing says it held Redis.
    NamespaceName failedRedis = withRow("redis", "failed");
    NamespaceName noRow = customerNamespace(ResourceToken.random());
    NamespaceName live = withRow("redis", "active");
    // One job, one gauge (a second instance's gauge would not be registered again).
    OrphanDbSweep job = sweep(db.jdbi(), AUDIT_ONLY, LATER);

    JobReport report = job.run(JobRun.start("orphan_db_sweep"));

    assertThat(auditedKind(deletedRedis)).contains("redis_namespace");
    assertThat(auditedKind(expiredRedis)).contains("redis_namespace");
    assertThat(auditedKind(deletedPostgres)).contains("customer_namespace");
    assertThat(auditedKind(failedRedis)).contains("customer_namespace");
    assertThat(auditedKind(noRow)).contains("customer_namespace");
    assertThat(auditedKind(live)).isEmpty();
    assertThat(report.count("customer_orphan")).isEqualTo(5);
    assertThat(report.count("customer_live")).isEqualTo(1);
    assertThat(current("redis_namespace")).isEqualTo(2.0);
    assertThat(current("customer_namespace")).isEqualTo(3.0);
    assertThat(total("redis_namespace")).isEqualTo(2.0);
    assertThat(total("customer_namespace")).isEqualTo(3.0);

    // The counter counts every candidate of every run; the gauge is the latest run's backlog.
    rows.execute("UPDATE resources SET status = 'active' WHERE status = 'expired'");
    job.run(JobRun.start("orphan_db_sweep"));
    assertThat(total("redis_namespace")).isEqualTo(3.0);
    assertThat(current("redis_namespace")).isEqualTo(1.0);
  }

  @Test
  void withTheDestructiveFlagOffACandidateIsOnlyLoggedAndAudited() {
    NamespaceName orphan = withRow("redis", "expired");

    JobReport report = run(AUDIT_ONLY, LATER);

    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.count("audit_only")).isEqualTo(1);
    assertThat(rig.auditRows("orphan.candidate")).isEqualTo(1);
    assertThat(rig.auditRows("deprovision.requested")).isZero();
    assertThat(rig.auditRowsWithATeam()).as("cluster-scoped rows carry no team").isZero();
    assertThat(rig.counter(WorkerMetrics.ORPHAN_DB_SWEEP_REAPED, "kind", "redis_namespace"))
        .isZero();
    assertThat(rig.lines("orphan_db_sweep.proposed_reap"))
        .singleElement()
        .satisfies(line ->
            assertThat(line)
                .contains(
                    "namespace=" + orphan.masked(),
                    "age=2h",
                    "kind=redis_namespace",
                    "live_set_size=0",
                    "destructive=false")
                .doesNotContain(orphan.value()));
  }

  // ---- the destructive arm ----

  @Test
  void withBothFlagsACandidateIsReapedThroughTheAuditedChokepointUnderItsKind() {
    NamespaceName redis = withRow("redis", "deleted");
    NamespaceName customer = customerNamespace(ResourceToken.random());

    JobReport report = run(ARMED, LATER);

    assertThat(rig.exists(redis)).isFalse();
    assertThat(rig.exists(customer)).isFalse();
    assertThat(report.count("reaped")).isEqualTo(2);
    assertThat(rig.counter(WorkerMetrics.ORPHAN_DB_SWEEP_REAPED, "kind", "redis_namespace"))
        .isEqualTo(1.0);
    assertThat(rig.counter(WorkerMetrics.ORPHAN_DB_SWEEP_REAPED, "kind", "customer_namespace"))
        .isEqualTo(1.0);
    assertThat(
            rig.counter(
                WorkerMetrics.ORPHAN_DB_SWEEP_TEARDOWN,
                "resource_type",
                "redis_namespace",
                "outcome",
                "ok"))
        .isEqualTo(1.0);
    assertThat(rig.auditRows("orphan.candidate")).isEqualTo(2);
    assertThat(rig.auditRows("deprovision.requested")).isEqualTo(2);
    assertThat(rig.auditRows("deprovision.dropped")).isEqualTo(2);
    assertThat(rig.auditRowsWithATeam()).isZero();
    String dropped =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT metadata::text FROM audit_log WHERE kind = 'deprovision.dropped'"
                            + " AND resource_type = 'redis_namespace'")
                    .mapTo(String.class)
                    .one());
    assertThat(dropped)
        .as("a customer namespace carries a credential: audited masked, reason the kind")
        .doesNotContain(redis.value())
        .contains("redis_namespace");
  }

  @Test
  void aRowThatAppearsBeforeTheActIsNotReaped() {
    ResourceToken token = ResourceToken.random();
    NamespaceName racing = customerNamespace(token);

    // Committed while the job announces its proposed reap: after the page's evidence was read.
    JobReport report =
        rig.whenLogged(
            "orphan_db_sweep.proposed_reap",
            line -> rows.resource().token(token).tier("pro").status("pending").insert(),
            () -> run(ARMED, LATER));

    assertThat(rig.exists(racing)).isTrue();
    assertThat(report.count("reconfirm_live")).isEqualTo(1);
    assertThat(report.count("reaped")).isZero();
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  @Test
  void aChangeToTheTokensRowStillInFlightIsWaitedForAndSeen() throws Exception {
    ResourceToken token = ResourceToken.random();
    rows.resource().token(token).type("redis").tier("pro").status("expired").insert();
    NamespaceName reviving = customerNamespace(token);
    CountDownLatch changed = new CountDownLatch(1);

    // While the job announces its proposed reap, another transaction makes the row live and
    // commits only half a second later: the re-read must wait for it, then see it.
    JobReport report =
        rig.whenLogged(
            "orphan_db_sweep.proposed_reap",
            line -> {
              Thread.ofVirtual()
                  .start(() -> {
                    try (Handle h = db.jdbi().open()) {
                      h.begin();
                      h.execute(
                          "UPDATE resources SET status = 'active' WHERE token = ?", token.value());
                      changed.countDown();
                      Thread.sleep(500);
                      h.commit();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
              await(changed);
            },
            () -> run(ARMED, LATER));

    assertThat(rig.exists(reviving)).isTrue();
    assertThat(report.count("reconfirm_live")).isEqualTo(1);
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- grace and age ----

  @Test
  void aNamespaceYoungerThanTheGraceIsNeverACandidate() {
    NamespaceName young = customerNamespace(ResourceToken.random());

    JobReport report = run(ARMED, GRACE.minusMinutes(1));

    assertThat(rig.exists(young)).isTrue();
    assertThat(report.count("customer_too_young")).isEqualTo(1);
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(total("customer_namespace")).isZero();
    assertThat(current("customer_namespace")).isZero();
  }

  @Test
  void aNamespaceWhoseCreationTimestampCannotBeReadIsSkipped() {
    NamespaceName noAge = customerNamespace(ResourceToken.random());
    rig.listWithoutAge(noAge);

    JobReport report = run(ARMED, Duration.ofDays(30));

    assertThat(rig.exists(noAge)).isTrue();
    assertThat(report.count("customer_age_unknown")).isEqualTo(1);
    assertThat(report.count("reaped")).isZero();
    assertThat(rig.auditRows("orphan.candidate")).isZero();
  }

  // ---- evidence first ----

  @Test
  void aFailingNamespaceListDeletesNothingWarnsOnceAndCountsTheSkip() {
    NamespaceName orphan = customerNamespace(ResourceToken.random());
    rig.failEveryList();

    JobReport report = run(ARMED, LATER);

    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.count("reaped")).isZero();
    assertThat(report.count("skipped_customer_namespace_list_error")).isEqualTo(1);
    assertThat(
            rig.counter(
                WorkerMetrics.ORPHAN_DB_SWEEP_SKIPPED,
                "pass",
                "customer",
                "reason",
                "namespace_list_error"))
        .isEqualTo(1.0);
    assertThat(rig.warnings())
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("orphan_db_sweep.skipped"));
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  @Test
  void aRunThatCouldNotReadItsEvidenceLeavesTheBacklogGaugeAsTheLastGoodRunSetIt() {
    customerNamespace(ResourceToken.random());
    OrphanDbSweep job = sweep(db.jdbi(), AUDIT_ONLY, LATER);
    job.run(JobRun.start("orphan_db_sweep"));
    assertThat(current("customer_namespace")).isEqualTo(1.0);
    rig.failEveryList();

    JobReport report = job.run(JobRun.start("orphan_db_sweep"));

    assertThat(report.count("skipped_customer_namespace_list_error")).isEqualTo(1);
    assertThat(current("customer_namespace")).as("never zeroed by an error").isEqualTo(1.0);
    assertThat(total("customer_namespace")).isEqualTo(1.0);
  }

  @Test
  void aFailingLiveSetReadDeletesNothingNotEvenANamespaceWhoseRowIsLive() {
    NamespaceName live = withRow("redis", "active");
    NamespaceName orphan = customerNamespace(ResourceToken.random());
    // The page's live-set read gets the one refused connection; every later read works.
    Jdbi blinking = Jdbi.create(TestDatabases.failingOnly(db.dataSource(), 1));

    JobReport report = sweep(blinking, ARMED, LATER).run(JobRun.start("orphan_db_sweep"));

    assertThat(rig.exists(live)).as("never decided from a live set that was not read").isTrue();
    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.count("reaped")).isZero();
    assertThat(report.count("skipped_customer_db_read_error")).isEqualTo(1);
    assertThat(
            rig.counter(
                WorkerMetrics.ORPHAN_DB_SWEEP_SKIPPED,
                "pass",
                "customer",
                "reason",
                "db_read_error"))
        .isEqualTo(1.0);
    assertThat(rig.warnings()).singleElement();
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  @Test
  void anUnreachableDatabaseDeletesNothing() {
    NamespaceName orphan = customerNamespace(ResourceToken.random());

    JobReport report =
        sweep(TestDatabases.unreachable(), ARMED, LATER).run(JobRun.start("orphan_db_sweep"));

    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.count("skipped_customer_db_read_error")).isEqualTo(1);
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  @Test
  void aFailingReadOfTheKindsDeletesNothingEither() {
    NamespaceName orphan = withRow("redis", "deleted");
    // The first connection reads the page's live set; the second, refused, its orphans' kinds.
    Jdbi blinking = Jdbi.create(TestDatabases.failingOnly(db.dataSource(), 2));

    JobReport report = sweep(blinking, ARMED, LATER).run(JobRun.start("orphan_db_sweep"));

    assertThat(rig.exists(orphan)).isTrue();
    assertThat(report.count("skipped_customer_db_read_error")).isEqualTo(1);
    assertThat(rig.auditRows("orphan.candidate")).isZero();
    assertThat(rig.auditRows("deprovision.requested")).isZero();
  }

  // ---- no cluster ----

  @Test
  void withoutAClusterItSkipsWithAWarn() {
    JobReport report =
        new OrphanDbSweep(
                db.jdbi(), Optional.empty(), audit, ARMED, GRACE, rig.meters(), Clock.systemUTC())
            .run(JobRun.start("orphan_db_sweep"));

    assertThat(report.count("skipped_no_cluster")).isEqualTo(1);
    assertThat(
            rig.counter(
                WorkerMetrics.ORPHAN_DB_SWEEP_SKIPPED, "pass", "all", "reason", "no_cluster"))
        .isEqualTo(1.0);
    assertThat(rig.warnings()).singleElement();
  }
}
