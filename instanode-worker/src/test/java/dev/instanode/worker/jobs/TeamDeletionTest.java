package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.StackCluster;
import dev.instanode.core.TeamId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerDependencies.StackParts;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.StackFixtures;
import dev.instanode.worker.testing.TestDatabases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code team_deletion} on real Postgres and the mock API server: every resource dropped through
 * the provisioner and every namespace deleted, then the tombstone and its audit row with exact
 * figures, even when the teardown is interrupted and resumed; nothing of another team is touched.
 */
@EnableKubernetesMockClient(crud = true)
class TeamDeletionTest {
  private static PlatformDatabase db;
  private static Rows rows;
  private static AuditLog audit;
  private static StackFixtures fixtures;

  KubernetesClient client;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;
  private StackCluster cluster;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("team_deletion");
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
    rows.execute("DELETE FROM teams");
    meters = new SimpleMeterRegistry();
    cluster = StackFixtures.over(client);
  }

  private JobReport run() {
    StackParts parts = StackFixtures.parts(fixtures.repository(), cluster, audit, meters, Set.of());
    return new TeamDeletion(
            db.jdbi(),
            Optional.of(provisioner),
            Optional.of(parts.teardown()),
            meters,
            Clock.systemUTC())
        .run(JobRun.start("team_deletion"));
  }

  @Test
  void everythingTheTeamHeldGoesThenItIsTombstonedWithExactFigures() throws Exception {
    TeamId team = rows.team("pro", "deletion_pending");
    rows.execute("UPDATE teams SET deletion_requested_at = now() - interval '90 seconds'");
    Rows.Inserted db1 = rows.resource().team(team).tier("pro").insert();
    Rows.Inserted cache = rows.resource().team(team).tier("pro").type("redis").insert();
    StackRecord stack = fixtures.deployed(cluster, Optional.of(team), Optional.empty());
    TeamId other = rows.team("pro", "active");
    Rows.Inserted kept = rows.resource().team(other).tier("pro").insert();
    StackRecord keptStack = fixtures.deployed(cluster, Optional.of(other), Optional.empty());
    rows.execute(
        "INSERT INTO users (team_id, email, role) VALUES (?, 'gone@example.com', 'owner')",
        team.value());

    JobReport report = run();

    assertThat(report.count("tombstoned")).isEqualTo(1);
    assertThat(provisioner.deprovisions())
        .extracting(d -> d.token())
        .containsExactlyInAnyOrder(db1.token(), cache.token());
    assertThat(provisioner.deprovisions()).allMatch(d -> d.reason().equals("team_deleted"));
    assertThat(rows.status(db1.id())).isEqualTo("deleted");
    assertThat(rows.status(cache.id())).isEqualTo("deleted");
    assertThat(cluster.read(stack.namespace())).isEmpty();
    assertThat(fixtures.find(stack)).isEmpty();
    assertThat(teamStatus(team)).isEqualTo("tombstoned");
    assertThat(count("SELECT count(*) FROM users WHERE team_id = '" + team.value() + "'"))
        .as("its people are gone, their addresses free")
        .isZero();

    assertThat(tombstoned(team, "resource_count_destroyed")).isEqualTo(2);
    assertThat(tombstoned(team, "namespaces_deleted")).isEqualTo(1);
    assertThat(tombstoned(team, "duration_seconds")).isBetween(90L, 200L);

    assertThat(rows.status(kept.id())).as("another team's resource").isEqualTo("active");
    assertThat(cluster.read(keptStack.namespace())).isPresent();
    assertThat(teamStatus(other)).isEqualTo("active");
  }

  @Test
  void anInterruptedDeletionResumesAndCountsEachTeardownOnce() throws Exception {
    TeamId team = rows.team("pro", "deletion_pending");
    rows.execute("UPDATE teams SET deletion_requested_at = now()");
    Rows.Inserted first = rows.resource().team(team).tier("pro").insert();
    Rows.Inserted second = rows.resource().team(team).tier("pro").insert();
    // As a crash after the mark and before the drop leaves it.
    Rows.Inserted halfway = rows.resource().team(team).tier("pro").status("deleting").insert();
    provisioner.failWhen(
        req -> req instanceof DeprovisionRequest d && d.token().equals(second.token()));

    JobReport interrupted = run();
    assertThat(interrupted.count("waiting")).isEqualTo(1);
    assertThat(teamStatus(team)).isEqualTo("deletion_pending");
    assertThat(rows.status(first.id())).isEqualTo("deleted");
    assertThat(rows.status(halfway.id())).isEqualTo("deleted");
    assertThat(rows.status(second.id())).as("left for the next run").isEqualTo("deleting");
    assertThat(rows.auditCount("team.tombstoned")).isZero();

    provisioner.failWhen(req -> false);
    assertThat(run().count("tombstoned")).isEqualTo(1);
    assertThat(rows.status(second.id())).isEqualTo("deleted");
    assertThat(tombstoned(team, "resource_count_destroyed")).isEqualTo(3);
    assertThat(run().count("tombstoned")).as("a tombstone is written once").isZero();
    assertThat(rows.auditCount("team.tombstoned")).isEqualTo(1);
  }

  @Test
  void anInterruptedStackTeardownResumesAndCountsEachNamespaceOnce() {
    TeamId team = rows.team("pro", "deletion_pending");
    rows.execute("UPDATE teams SET deletion_requested_at = now()");
    StackRecord untouched = fixtures.deployed(cluster, Optional.of(team), Optional.empty());
    // As a crash after the mark and before the namespace's deletion leaves it.
    StackRecord marked =
        fixtures.force(
            fixtures.deployed(cluster, Optional.of(team), Optional.empty()), StackStatus.DELETING);
    // As a crash after the namespace's deletion and before the row's removal leaves it.
    StackRecord namespaceGone = fixtures.deployed(cluster, Optional.of(team), Optional.empty());
    cluster.deleteNamespace(namespaceGone.namespace());
    fixtures.force(namespaceGone, StackStatus.DELETING);
    // Left long enough that stack_reconciler finishes it before team_deletion runs again.
    StackRecord stale =
        fixtures.force(
            fixtures.deployed(cluster, Optional.of(team), Optional.empty()),
            StackStatus.DELETING,
            Instant.now().minus(Duration.ofMinutes(10)));

    StackParts parts = StackFixtures.parts(fixtures.repository(), cluster, audit, meters, Set.of());
    JobReport reconciled =
        new StackReconciler(db.jdbi(), Optional.of(parts), meters, Clock.systemUTC())
            .run(JobRun.start("stack_reconciler"));
    assertThat(reconciled.count("delete_finished")).isEqualTo(1);
    assertThat(fixtures.find(stale)).isEmpty();
    assertThat(namespacesDeleted(team)).as("counted by whichever job removes the row").isEqualTo(1);
    // A second finisher of the same row (two jobs racing) deletes nothing more and counts nothing.
    assertThat(parts.teardown().finish(stale, "reconcile", JobRun.start("x").requestId()))
        .isInstanceOf(StackTeardown.Outcome.Deleted.class);
    assertThat(namespacesDeleted(team)).isEqualTo(1);

    assertThat(run().count("tombstoned")).isEqualTo(1);
    for (StackRecord stack : List.of(untouched, marked, namespaceGone, stale)) {
      assertThat(fixtures.find(stack)).isEmpty();
      assertThat(cluster.read(stack.namespace())).isEmpty();
    }
    assertThat(tombstoned(team, "namespaces_deleted")).isEqualTo(4);
  }

  @Test
  void aResourceMadeAsTheTeamWasDeletedIsTornDownAfterTheTombstone() {
    TeamId team = rows.team("pro", "tombstoned");
    Rows.Inserted late = rows.resource().team(team).tier("pro").insert();

    JobReport report = run();

    assertThat(report.count("straggler_destroyed")).isEqualTo(1);
    assertThat(provisioner.deprovisions())
        .singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("team_tombstoned"));
    assertThat(rows.status(late.id())).isEqualTo("deleted");
  }

  @Test
  void withoutAClusterATeamWithStacksWaitsAndNothingIsTombstoned() {
    TeamId team = rows.team("pro", "deletion_pending");
    rows.execute("UPDATE teams SET deletion_requested_at = now()");
    fixtures.record(Optional.of(team), Optional.empty());
    JobReport report =
        new TeamDeletion(
                db.jdbi(), Optional.of(provisioner), Optional.empty(), meters, Clock.systemUTC())
            .run(JobRun.start("team_deletion"));
    assertThat(report.count("waiting")).isEqualTo(1);
    assertThat(teamStatus(team)).isEqualTo("deletion_pending");
  }

  private String teamStatus(TeamId team) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery("SELECT status FROM teams WHERE id = :id")
                .bind("id", team.value())
                .mapTo(String.class)
                .one());
  }

  private long namespacesDeleted(TeamId team) {
    return count("SELECT deletion_namespaces_deleted FROM teams WHERE id = '" + team.value() + "'");
  }

  private long count(String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  /** A figure of the team's {@code team.tombstoned} row. */
  private long tombstoned(TeamId team, String field) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT (metadata->>:field)::bigint FROM audit_log"
                        + " WHERE kind = 'team.tombstoned' AND team_id = :t")
                .bind("field", field)
                .bind("t", team.value())
                .mapTo(Long.class)
                .one());
  }
}
