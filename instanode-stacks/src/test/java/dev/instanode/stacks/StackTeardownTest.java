package dev.instanode.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.RequestId;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** On real Postgres and the mock API server in CRUD mode: teardown before bookkeeping. */
@EnableKubernetesMockClient(crud = true)
class StackTeardownTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;
  private static AuditLog audit;

  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_teardown"), 4);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void stop() {
    audit.close();
    db.close();
  }

  private StackTeardown teardown(StackCluster cluster) {
    return new StackTeardown(
        stacks, cluster, new DropGuard(Set.of()), audit, new SimpleMeterRegistry());
  }

  private long auditRows(String kind, RequestId request) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery("SELECT count(*) FROM audit_log WHERE kind = :k AND request_id = :r")
                .bind("k", kind)
                .bind("r", request.value())
                .mapTo(Long.class)
                .one());
  }

  @Test
  void deleteRemovesTheNamespaceThenTheRowAndAuditsBoth() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    RequestId request = RequestId.random();

    StackTeardown.Outcome outcome =
        teardown(cluster).delete(row.slug(), Optional.empty(), "user_delete", request);

    assertThat(outcome).isInstanceOf(StackTeardown.Outcome.Deleted.class);
    assertThat(cluster.read(row.namespace())).isEmpty();
    assertThat(stacks.findBySlug(row.slug())).isEmpty();
    assertThat(auditRows("deprovision.requested", request)).isEqualTo(1);
    assertThat(auditRows("deprovision.dropped", request)).isEqualTo(1);
  }

  @Test
  void anotherTeamsOrAMissingStackIsNotFoundAndUntouched() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    assertThat(
            teardown(cluster)
                .delete(
                    row.slug(),
                    Optional.of(new dev.instanode.core.TeamId(java.util.UUID.randomUUID())),
                    "user_delete",
                    RequestId.random()))
        .isInstanceOf(StackTeardown.Outcome.NotFound.class);
    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DEPLOYING);
    assertThat(cluster.read(row.namespace())).isPresent();
  }

  @Test
  void aClusterThatIsDownKeepsTheRowDeletingAndALaterPassFinishesIt() {
    StackCluster up = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, up);
    StackCluster down = TestStacks.unreachable(client);

    StackTeardown.Outcome first =
        teardown(down).delete(row.slug(), Optional.empty(), "user_delete", RequestId.random());

    assertThat(first).isInstanceOf(StackTeardown.Outcome.Retry.class);
    StackRecord kept = stacks.findBySlug(row.slug()).orElseThrow();
    assertThat(kept.status())
        .as("bookkeeping waits for the teardown")
        .isEqualTo(StackStatus.DELETING);
    assertThat(up.read(row.namespace())).isPresent();

    assertThat(teardown(up).finish(kept, "reconcile", RequestId.random()))
        .isInstanceOf(StackTeardown.Outcome.Deleted.class);
    assertThat(stacks.findBySlug(row.slug())).isEmpty();
    assertThat(up.read(row.namespace())).isEmpty();
    down.close();
  }

  @Test
  void aNamespaceAlreadyGoneStillLetsTheRowGo() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    cluster.deleteNamespace(row.namespace());

    assertThat(
            teardown(cluster).delete(row.slug(), Optional.empty(), "expired", RequestId.random()))
        .isInstanceOf(StackTeardown.Outcome.Deleted.class);
    assertThat(stacks.findBySlug(row.slug())).isEmpty();
  }

  @Test
  void aNamespaceTheGuardRefusesIsNeverDeletedAndItsRowIsKept() {
    StackCluster cluster = new Fabric8StackCluster(client, false, () -> {});
    StackRecord row = TestStacks.deployed(db, AES, cluster);
    StackTeardown guarded =
        new StackTeardown(
            stacks,
            cluster,
            new DropGuard(Set.of(row.namespace().value())),
            audit,
            new SimpleMeterRegistry());
    RequestId request = RequestId.random();

    assertThat(guarded.delete(row.slug(), Optional.empty(), "expired", request))
        .isInstanceOf(StackTeardown.Outcome.Refused.class);
    assertThat(cluster.read(row.namespace())).isPresent();
    assertThat(stacks.findBySlug(row.slug())).isPresent();
    assertThat(auditRows("deprovision.refused", request)).isEqualTo(1);
  }
}
