package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.StackCluster;
import dev.instanode.core.Plans;
import dev.instanode.core.TeamId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.StackFixtures;
import dev.instanode.worker.testing.TestDatabases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code expire_stacks} on real Postgres and the mock API server in CRUD mode: namespace first,
 * then the row; a refused namespace keeps its row; a cluster that is down leaves the row deleting
 * for {@code stack_reconciler}; a claimed stack is never touched.
 */
@EnableKubernetesMockClient(crud = true)
class ExpireStacksTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private static StackFixtures fixtures;

  KubernetesClient client;
  private SimpleMeterRegistry meters;
  private StackCluster cluster;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("expire_stacks");
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
    rows.execute("DELETE FROM audit_log");
    rows.execute("DELETE FROM teams");
    meters = new SimpleMeterRegistry();
    cluster = StackFixtures.over(client);
  }

  private StackParts parts(StackCluster on, Set<String> denied) {
    return StackFixtures.parts(fixtures.repository(), on, audit, meters, denied);
  }

  private ExpireStacks job(Optional<StackParts> parts, Clock clock, int page) {
    return new ExpireStacks(
        db.jdbi(), parts.map(StackParts::teardown), Plans.bundled(), meters, clock, page);
  }

  private JobReport expire(StackCluster on) {
    return job(Optional.of(parts(on, Set.of())), Clock.systemUTC(), ExpireStacks.PAGE)
        .run(JobRun.start("expire_stacks"));
  }

  private double counter(String name) {
    var c = meters.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private long auditRows(String kind, String reason) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT count(*) FROM audit_log WHERE kind = :k"
                        + " AND metadata->>'reason' = :r")
                .bind("k", kind)
                .bind("r", reason)
                .mapTo(Long.class)
                .one());
  }

  @Test
  void anExpiredAnonymousStackLosesItsNamespaceThenItsRowAndBothAreAudited() {
    StackRecord row = fixtures.expired(cluster);
    assertThat(row.id().value().toString()).isNotEqualTo(row.slug().value());
    assertThat(cluster.read(row.namespace())).isPresent();

    JobReport report = expire(cluster);

    assertThat(report.count("expired")).isEqualTo(1);
    assertThat(cluster.read(row.namespace())).as("the slug's namespace is gone").isEmpty();
    assertThat(fixtures.find(row)).as("and only then the row").isEmpty();
    assertThat(auditRows("deprovision.requested", "expired")).isEqualTo(1);
    assertThat(auditRows("deprovision.dropped", "expired")).isEqualTo(1);
    assertThat(counter("instant_stacks_expired_total")).isEqualTo(1.0);
  }

  @Test
  void claimedAndUnexpiredStacksAreNeverTouched() {
    TeamId team = rows.team("pro", "active");
    StackRecord claimed = fixtures.deployed(cluster, Optional.of(team), Optional.empty());
    StackRecord stale =
        fixtures.deployed(
            cluster, Optional.of(team), Optional.of(Instant.now().minus(Duration.ofDays(1))));
    StackRecord young =
        fixtures.deployed(cluster, Optional.empty(), Optional.of(Instant.now().plusSeconds(3600)));
    StackRecord forever = fixtures.deployed(cluster, Optional.empty(), Optional.empty());

    JobReport report = expire(cluster);

    assertThat(report.isIdle()).as(report.toString()).isTrue();
    for (StackRecord r : List.of(claimed, stale, young, forever)) {
      assertThat(fixtures.find(r)).as(r.slug().value()).contains(r);
      assertThat(cluster.read(r.namespace())).as(r.slug().value()).isPresent();
    }
    assertThat(auditRows("deprovision.requested", "expired")).isZero();
  }

  @Test
  void aStackClaimedAfterItWasListedIsLeftAlone() {
    StackRecord listed = fixtures.expired(cluster);
    TeamId team = rows.team("pro", "active");
    // The claim lands between the job's read and its row lock.
    rows.execute(
        "UPDATE stacks SET team_id = ?, expires_at = NULL WHERE id = ?",
        team.value(),
        listed.id().value());

    ExpireStacks.Outcome outcome =
        job(Optional.of(parts(cluster, Set.of())), Clock.systemUTC(), ExpireStacks.PAGE)
            .expireOne(listed, Instant.now(), JobRun.start("expire_stacks"));

    assertThat(outcome).isEqualTo(ExpireStacks.Outcome.RACE_SKIPPED);
    assertThat(fixtures.status(listed)).isEqualTo(StackStatus.DEPLOYING);
    assertThat(cluster.read(listed.namespace())).isPresent();
  }

  @Test
  void aNamespaceTheGuardRefusesIsKeptAndSoIsItsRow() {
    StackRecord row = fixtures.expired(cluster);

    JobReport report =
        job(
                Optional.of(parts(cluster, Set.of(row.namespace().value()))),
                Clock.systemUTC(),
                ExpireStacks.PAGE)
            .run(JobRun.start("expire_stacks"));

    assertThat(report.count("refused")).isEqualTo(1);
    assertThat(report.count("expired")).isZero();
    assertThat(cluster.read(row.namespace())).as("nothing was deleted").isPresent();
    assertThat(fixtures.find(row))
        .as("the row is kept (the original deleted it and orphaned the namespace)")
        .isPresent();
    assertThat(counter("instant_stack_expiry_refused_total")).isEqualTo(1.0);
    assertThat(auditRows("deprovision.refused", "expired")).isEqualTo(1);
    assertThat(auditRows("deprovision.dropped", "expired")).isZero();
  }

  @Test
  void aClusterThatIsDownLeavesTheRowDeletingAndALaterReconcilerPassFinishesIt() {
    StackRecord row = fixtures.expired(cluster);
    try (StackCluster down = StackFixtures.unreachable(client)) {
      JobReport report =
          job(Optional.of(parts(down, Set.of())), Clock.systemUTC(), ExpireStacks.PAGE)
              .run(JobRun.start("expire_stacks"));
      assertThat(report.count("teardown_retry")).isEqualTo(1);
    }
    assertThat(fixtures.status(row)).as("bookkeeping waits").isEqualTo(StackStatus.DELETING);
    assertThat(cluster.read(row.namespace())).isPresent();
    assertThat(
            meters
                .get("instant_stack_expiry_failed_total")
                .tag("reason", "teardown_retry")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(expire(cluster).isIdle()).as("a deleting row is the reconciler's").isTrue();

    StackParts up = parts(cluster, Set.of());
    JobReport tooSoon =
        new StackReconciler(
                db.jdbi(), Optional.of(up), new SimpleMeterRegistry(), Clock.systemUTC())
            .run(JobRun.start("stack_reconciler"));
    assertThat(tooSoon.count("delete_in_flight")).isEqualTo(1);
    assertThat(fixtures.find(row)).isPresent();

    Clock later = Clock.offset(Clock.systemUTC(), StackReconciler.DELETING_GRACE.plusMinutes(1));
    JobReport finished =
        new StackReconciler(db.jdbi(), Optional.of(up), new SimpleMeterRegistry(), later)
            .run(JobRun.start("stack_reconciler"));

    assertThat(finished.count("delete_finished")).isEqualTo(1);
    assertThat(cluster.read(row.namespace())).isEmpty();
    assertThat(fixtures.find(row)).isEmpty();
    assertThat(auditRows("deprovision.dropped", "reconcile")).isEqualTo(1);
  }

  @Test
  void everyExpiredStackIsReachedAcrossPages() {
    List<StackRecord> expired = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expired.add(fixtures.expired(cluster));
    }

    JobReport report =
        job(Optional.of(parts(cluster, Set.of())), Clock.systemUTC(), 2)
            .run(JobRun.start("expire_stacks"));

    assertThat(report.count("expired")).isEqualTo(5);
    for (StackRecord r : expired) {
      assertThat(fixtures.find(r)).isEmpty();
      assertThat(cluster.read(r.namespace())).isEmpty();
    }
  }

  @Test
  void withoutAClusterBothStackJobsSkipAndChangeNothing() {
    StackRecord row = fixtures.expired(cluster);
    fixtures.force(row, StackStatus.HEALTHY);
    cluster.deleteNamespace(row.namespace());
    StackRecord before = fixtures.find(row).orElseThrow();

    JobReport expiry =
        job(Optional.empty(), Clock.systemUTC(), ExpireStacks.PAGE)
            .run(JobRun.start("expire_stacks"));
    JobReport reconcile =
        new StackReconciler(db.jdbi(), Optional.empty(), meters, Clock.systemUTC())
            .run(JobRun.start("stack_reconciler"));

    assertThat(expiry.count("skipped_no_cluster")).isEqualTo(1);
    assertThat(reconcile.count("skipped_no_cluster")).isEqualTo(1);
    assertThat(fixtures.find(row)).contains(before);
    assertThat(
            meters
                .get("instant_stack_job_skipped_total")
                .tag("job", "expire_stacks")
                .tag("reason", "no_cluster")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("instant_stack_job_skipped_total")
                .tag("job", "stack_reconciler")
                .counter()
                .count())
        .isEqualTo(1.0);
  }
}
