package dev.instanode.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.LiveStack;
import dev.instanode.cluster.ServiceAddresses;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackSpec;
import dev.instanode.cluster.TenantNamespace;
import dev.instanode.core.Plans;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An apply after the 202: done, it shows in the cluster; failed, the stack says so. */
@EnableKubernetesMockClient(crud = true)
class StackApplierTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static PlatformDatabase db;
  private static StackRepository stacks;
  private static AuditLog audit;

  KubernetesClient client;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("stack_applier"), 4);
    db.migrate();
    stacks = new StackRepository(db.jdbi());
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void stop() {
    audit.close();
    db.close();
  }

  private StackRecord recorded() {
    return db.jdbi()
        .inTransaction(h ->
            StackRepository.insert(
                h,
                new StackRepository.NewStack(
                    StackSlug.random(),
                    Optional.empty(),
                    Optional.empty(),
                    "app",
                    "development",
                    Tier.ANONYMOUS,
                    Optional.empty(),
                    List.of(
                        new StackRepository.NewService("web", "nginx", 8080, false, Map.of()),
                        new StackRepository.NewService("api", "api:1", 9000, false, Map.of()))),
                AES));
  }

  private StackApplier applier(StackCluster on) {
    return new StackApplier(
        new StackDeployer(
            stacks, on, Plans.bundled(), AES, "stacks.example.dev", meters, VaultValues.NONE),
        stacks,
        new StackTeardown(stacks, on, new DropGuard(Set.of()), audit, meters),
        meters);
  }

  @Test
  void anApplyThatEndsAfterItsStacksDeleteDoesNotLeaveTheNamespaceBehind() throws Exception {
    // The apply read the row, then the delete ran to the end, then the apply created: without a
    // look at the row afterwards the namespace would be back with no row naming it.
    StackRecord row = recorded();
    StackCluster real = new Fabric8StackCluster(client, false, () -> {});
    StackCluster deletedJustBeforeTheCreate =
        new DelegatingCluster(real) {
          @Override
          public void apply(StackSpec stack) {
            StackRecord deleting = stacks.markDeleting(row.slug(), Optional.empty()).orElseThrow();
            stacks.deleteTornDown(deleting.id());
            super.apply(stack);
          }
        };
    try (StackApplier applier = applier(deletedJustBeforeTheCreate)) {
      applier.applyLater(row).get(20, TimeUnit.SECONDS);
    }
    assertThat(client.namespaces().withName(row.namespace().value()).get()).isNull();
    assertThat(meters.counter(StackApplier.LATE_APPLIES).count()).isEqualTo(1);
  }

  @Test
  void anApplyThatWorkedLeavesTheStackDeployingWithItsObjectsInTheCluster() throws Exception {
    StackRecord row = recorded();
    try (StackApplier applier = applier(new Fabric8StackCluster(client, false, () -> {}))) {
      applier.applyLater(row).get(20, TimeUnit.SECONDS);
    }
    assertThat(client.apps().deployments().inNamespace(row.namespace().value()).list().getItems())
        .hasSize(2);
    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DEPLOYING);
    assertThat(meters.counter(StackApplier.FAILURES).count()).isZero();
  }

  @Test
  void anApplyThatFailedMarksTheStackFailedWithTheReasonPerService() throws Exception {
    StackRecord row = recorded();
    try (StackCluster down = TestStacks.unreachable(client);
        StackApplier applier = applier(down)) {
      applier.applyLater(row).get(30, TimeUnit.SECONDS);
    }
    StackRecord after = stacks.findBySlug(row.slug()).orElseThrow();
    assertThat(after.status()).isEqualTo(StackStatus.FAILED);
    assertThat(after.services())
        .hasSize(2)
        .allSatisfy(s -> {
          assertThat(s.status()).isEqualTo("failed");
          assertThat(s.reason()).hasValueSatisfying(r -> assertThat(r).startsWith("apply failed"));
        });
    assertThat(meters.counter(StackApplier.FAILURES).count()).isEqualTo(1.0);
  }

  @Test
  void anApplyNeverWritesOverAStackBeingDeleted() throws Exception {
    StackRecord row = recorded();
    stacks.markDeleting(row.slug(), Optional.empty());
    try (StackCluster down = TestStacks.unreachable(client);
        StackApplier applier = applier(down)) {
      applier.applyLater(row).get(30, TimeUnit.SECONDS);
    }
    assertThat(stacks.findBySlug(row.slug()).orElseThrow().status())
        .isEqualTo(StackStatus.DELETING);
  }

  /** Every call to the real cluster; a test overrides the one it times. */
  private static class DelegatingCluster implements StackCluster {
    private final StackCluster real;

    DelegatingCluster(StackCluster real) {
      this.real = real;
    }

    @Override
    public boolean simulated() {
      return real.simulated();
    }

    @Override
    public void apply(StackSpec stack) {
      real.apply(stack);
    }

    @Override
    public Optional<LiveStack> read(NamespaceName namespace) {
      return real.read(namespace);
    }

    @Override
    public Optional<AutoCloseable> followLogs(
        NamespaceName namespace, String service, Consumer<String> lines, Runnable ended) {
      return real.followLogs(namespace, service, lines, ended);
    }

    @Override
    public boolean deleteNamespace(NamespaceName namespace) {
      return real.deleteNamespace(namespace);
    }

    @Override
    public void eachNamespacePage(
        NamespaceName.Kind kind, int pageSize, Consumer<List<TenantNamespace>> page) {
      real.eachNamespacePage(kind, pageSize, page);
    }

    @Override
    public DedicatedCluster dedicated(ServiceAddresses addresses) {
      return real.dedicated(addresses);
    }

    @Override
    public void close() {
      real.close();
    }
  }
}
