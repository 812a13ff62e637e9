package dev.instanode.bench;

import com.sun.management.ThreadMXBean;
import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.stacks.StackApplier;
import dev.instanode.stacks.StackDeployer;
import dev.instanode.stacks.StackObserver;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.stacks.VaultValues;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.StackRepository;
import dev.instanode.testkit.TestPostgres;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.OrphanSweepSettings;
import dev.instanode.worker.WorkerDependencies;
import dev.instanode.worker.jobs.InventorySweep;
import dev.instanode.worker.jobs.OrphanSweep;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * The orphan sweeps at scale: {@code orphan_sweep} over 10,000 namespaces on the fabric8 mock API
 * server (CRUD mode) against 100,000 resources rows and 5,000 stacks, and {@code inventory_sweep}
 * over an inventory of 100,000 items, both audit-only. Prints each sweep's wall time (p50 and max
 * of the rounds) and the bytes its thread allocated. Run: {@code ./instanode bench sweeps}.
 */
public final class SweepBenchmark {
  private static final int NAMESPACES = 10_000;
  private static final int STACKS = 5_000;
  private static final int CUSTOMERS = 4_000;
  private static final int ROWS = 100_000;
  private static final int ROUNDS = 5;

  private SweepBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.out.println(
        "jvm "
            + Runtime.version()
            + " "
            + ManagementFactory.getRuntimeMXBean().getInputArguments());
    PlatformDatabase db = PlatformDatabase.connect(TestPostgres.newDatabase("sweep_bench"), 8);
    db.migrate();
    Jdbi jdbi = db.jdbi();
    long t0 = System.nanoTime();
    List<String> slugs = seedStacks(jdbi);
    List<UUID> customerTokens = seedResources(jdbi);
    System.out.printf(
        "seeded %,d resources rows and %,d stacks in %.1f s%n",
        ROWS, STACKS, (System.nanoTime() - t0) / 1e9);

    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient();
        AuditLog audit = new AuditLog(jdbi)) {
      t0 = System.nanoTime();
      seedNamespaces(client, slugs, customerTokens);
      System.out.printf(
          "seeded %,d namespaces on the mock API server in %.1f s%n",
          NAMESPACES, (System.nanoTime() - t0) / 1e9);
      StackCluster cluster =
          new Fabric8StackCluster(
              server.createClient(b -> b.withConfig(Clusters.bounded(client.getConfiguration()))),
              false,
              () -> {});
      // Two hours on: every namespace is past the grace, so every one is judged.
      Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      OrphanSweep sweep =
          new OrphanSweep(
              jdbi,
              Optional.of(parts(jdbi, cluster, audit, meters)),
              audit,
              OrphanSweepSettings.defaults(),
              meters,
              later);
      measure(
          "orphan_sweep (10,000 namespaces, 100,000 rows)",
          () -> sweep.run(JobRun.start("orphan_sweep")));

      InventorySweep inventory =
          new InventorySweep(
              jdbi,
              Optional.of(inventoryOf(jdbi, ROWS)),
              audit,
              OrphanSweepSettings.defaults(),
              meters,
              Clock.systemUTC());
      measure(
          "inventory_sweep (100,000 items per type, 100,000 rows)",
          () -> inventory.run(JobRun.start("inventory_sweep")));
    } finally {
      server.destroy();
      db.close();
    }
    System.exit(0);
  }

  private static WorkerDependencies.StackParts parts(
      Jdbi jdbi, StackCluster cluster, AuditLog audit, SimpleMeterRegistry meters) {
    StackRepository stacks = new StackRepository(jdbi);
    DropGuard guard = new DropGuard(Set.of());
    StackTeardown teardown = new StackTeardown(stacks, cluster, guard, audit, meters);
    return new WorkerDependencies.StackParts(
        teardown,
        new StackObserver(stacks, cluster, meters),
        new StackApplier(
            new StackDeployer(
                stacks,
                cluster,
                Plans.bundled(),
                AesGcm.fromHexKey(AesGcm.generateHexKey()),
                "stacks.bench",
                meters,
                VaultValues.NONE),
            stacks,
            teardown,
            meters),
        cluster,
        guard);
  }

  private static void measure(String what, Supplier<JobReport> run) {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    double[] ms = new double[ROUNDS];
    long[] allocated = new long[ROUNDS];
    JobReport last = null;
    for (int i = 0; i < ROUNDS; i++) {
      long bytes0 = threads.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      last = run.get();
      ms[i] = (System.nanoTime() - t0) / 1e6;
      allocated[i] = threads.getCurrentThreadAllocatedBytes() - bytes0;
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%s: p50 %.0f ms, max %.0f ms, allocated %.1f MB per run (thread), rounds %s%n  report %s%n",
        what,
        sorted[ROUNDS / 2],
        sorted[ROUNDS - 1],
        Arrays.stream(allocated).sorted().toArray()[ROUNDS / 2] / 1e6,
        Arrays.toString(Arrays.stream(ms).mapToLong(Math::round).toArray()),
        last);
  }

  private static List<String> seedStacks(Jdbi jdbi) {
    List<String> slugs = new ArrayList<>();
    jdbi.useHandle(h -> {
      var batch =
          h.prepareBatch(
              "INSERT INTO stacks (slug, namespace, name, tier, status) VALUES (:slug, :ns, 'app',"
                  + " 'pro', 'healthy')");
      for (int i = 0; i < STACKS; i++) {
        StackSlug slug = StackSlug.random();
        slugs.add(slug.value());
        batch.bind("slug", slug.value()).bind("ns", NamespaceName.forStack(slug).value()).add();
      }
      batch.execute();
    });
    return slugs;
  }

  /** 100,000 rows, the first {@link #CUSTOMERS} of which own a customer namespace. */
  private static List<UUID> seedResources(Jdbi jdbi) {
    jdbi.useHandle(h ->
        h.execute(
            "INSERT INTO resources (token, resource_type, name, tier, status)"
                + " SELECT gen_random_uuid(), CASE WHEN g % 2 = 0 THEN 'postgres' ELSE 'redis' END,"
                + " 'r', 'anonymous', CASE WHEN g % 10 = 0 THEN 'deleted' ELSE 'active' END"
                + " FROM generate_series(1, ?) g",
            ROWS));
    return jdbi.withHandle(h ->
        h.createQuery("SELECT token FROM resources WHERE status = 'active' LIMIT :n")
            .bind("n", CUSTOMERS)
            .mapTo(UUID.class)
            .list());
  }

  /** Live stacks and customers, and 1,000 orphans of each kind. */
  private static void seedNamespaces(
      KubernetesClient client, List<String> slugs, List<UUID> customers) throws Exception {
    List<String> names = new ArrayList<>();
    slugs.forEach(s -> names.add("instant-stack-" + s));
    customers.forEach(t -> names.add("instant-customer-" + t));
    while (names.size() < NAMESPACES) {
      names.add(
          names.size() % 2 == 0
              ? "instant-stack-" + StackSlug.random().value()
              : "instant-customer-" + UUID.randomUUID());
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Future<?>> done = new ArrayList<>();
      for (String name : names) {
        done.add(
            pool.submit(() ->
                client
                    .namespaces()
                    .resource(
                        new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .addToLabels("app.kubernetes.io/managed-by", "instanode")
                            .addToLabels(Installation.LABEL, Installation.UNNAMED.id())
                            .endMetadata()
                            .build())
                    .create()));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }

  /**
   * A provisioner whose inventory holds {@code n} old items per type, nine in ten of them named by
   * a row and the rest by none; every other call fails (the sweep is audit-only, so it makes none).
   */
  private static Provisioner inventoryOf(Jdbi jdbi, int n) {
    List<UUID> named =
        jdbi.withHandle(h ->
            h.createQuery("SELECT token FROM resources LIMIT :n")
                .bind("n", n * 9 / 10)
                .mapTo(UUID.class)
                .list());
    List<InventoryItem> items = new ArrayList<>(n);
    Instant old = Instant.now().minus(Duration.ofDays(1));
    for (int i = 0; i < n; i++) {
      InfraKey key = i < named.size() ? new ResourceToken(named.get(i)) : ResourceToken.random();
      items.add(new InventoryItem(key, 2, Optional.of(old), false));
    }
    InventoryReport report = new InventoryReport(items);
    return (Provisioner)
        Proxy.newProxyInstance(
            Provisioner.class.getClassLoader(),
            new Class<?>[] {Provisioner.class},
            (proxy, method, methodArgs) -> {
              if (method.getName().equals("inventory")) {
                return report;
              }
              if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("toString") ? "bench inventory" : null;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
