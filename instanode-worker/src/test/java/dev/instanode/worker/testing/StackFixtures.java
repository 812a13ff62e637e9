package dev.instanode.worker.testing;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.StackCluster;
import dev.instanode.core.Plans;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.stacks.StackApplier;
import dev.instanode.stacks.StackDeployer;
import dev.instanode.stacks.StackObserver;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.stacks.VaultValues;
import dev.instanode.store.AuditLog;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.worker.WorkerDependencies;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** Stacks recorded in the platform database and applied to a (mock) cluster, for the jobs. */
public final class StackFixtures {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());

  private final Jdbi jdbi;
  private final StackRepository stacks;

  public StackFixtures(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.stacks = new StackRepository(jdbi);
  }

  public StackRepository repository() {
    return stacks;
  }

  /** A recorded stack with one service {@code web}, status {@code deploying}, not applied. */
  public StackRecord record(Optional<TeamId> team, Optional<Instant> expiresAt) {
    return jdbi.inTransaction(h ->
        StackRepository.insert(
            h,
            new StackRepository.NewStack(
                StackSlug.random(),
                team,
                Optional.empty(),
                "app",
                "development",
                team.isPresent() ? Tier.PRO : Tier.ANONYMOUS,
                expiresAt,
                List.of(new StackRepository.NewService("web", "nginx", 8080, false, Map.of()))),
            AES));
  }

  /** {@link #record}, then applied to {@code cluster}: its namespace exists. */
  public StackRecord deployed(
      StackCluster cluster, Optional<TeamId> team, Optional<Instant> expiresAt) {
    StackRecord row = record(team, expiresAt);
    new StackDeployer(
            stacks,
            cluster,
            Plans.bundled(),
            AES,
            "stacks.example.dev",
            new SimpleMeterRegistry(),
            VaultValues.NONE)
        .apply(row);
    return row;
  }

  /** An anonymous stack past its expiry, applied to {@code cluster}. */
  public StackRecord expired(StackCluster cluster) {
    return deployed(cluster, Optional.empty(), Optional.of(Instant.now().minusSeconds(60)));
  }

  public Optional<StackRecord> find(StackRecord row) {
    return stacks.findBySlug(row.slug());
  }

  public StackStatus status(StackRecord row) {
    return find(row).orElseThrow().status();
  }

  /** Sets the status (and when it was set) directly, as an earlier observation would have. */
  public StackRecord force(StackRecord row, StackStatus status, Instant since) {
    jdbi.useHandle(h ->
        h.execute(
            "UPDATE stacks SET status = ?, updated_at = ? WHERE id = ?",
            status.wireName(),
            Timestamp.from(since),
            row.id().value()));
    return find(row).orElseThrow();
  }

  public StackRecord force(StackRecord row, StackStatus status) {
    return force(row, status, Instant.now());
  }

  public void deleteAll() {
    jdbi.useHandle(h -> h.execute("DELETE FROM stacks"));
  }

  /**
   * The live parts the worker is given, over {@code cluster}, with a guard refusing {@code denied}.
   */
  public static WorkerDependencies.StackParts parts(
      StackRepository stacks,
      StackCluster cluster,
      AuditLog audit,
      MeterRegistry meters,
      Set<String> denied) {
    DropGuard guard = new DropGuard(denied);
    StackTeardown teardown = new StackTeardown(stacks, cluster, guard, audit, meters);
    return new WorkerDependencies.StackParts(
        teardown,
        new StackObserver(stacks, cluster, meters),
        new StackApplier(
            new StackDeployer(
                stacks,
                cluster,
                Plans.bundled(),
                AES,
                "stacks.example.dev",
                meters,
                VaultValues.NONE),
            stacks,
            teardown,
            meters),
        cluster,
        guard);
  }

  public static StackCluster over(KubernetesClient client) {
    return new Fabric8StackCluster(client, false, () -> {});
  }

  /** A cluster configured like {@code like}'s but at an address nothing answers. */
  public static StackCluster unreachable(KubernetesClient like) {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                Clusters.bounded(
                    new ConfigBuilder(like.getConfiguration())
                        .withMasterUrl("https://127.0.0.1:1")
                        .build()))
            .build();
    return new Fabric8StackCluster(client, false, client::close);
  }

  /** {@code cluster}, except that reading {@code broken} fails with {@code failure}. */
  public static StackCluster failingFor(
      StackCluster cluster, NamespaceName broken, RuntimeException failure) {
    return (StackCluster)
        Proxy.newProxyInstance(
            StackCluster.class.getClassLoader(),
            new Class<?>[] {StackCluster.class},
            (proxy, method, args) -> {
              if (method.getName().equals("read") && broken.equals(args[0])) {
                throw failure;
              }
              try {
                return method.invoke(cluster, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A read failure as the cluster reports one. */
  public static RuntimeException clusterDown() {
    return new ClusterUnavailableException("cluster read failed (HTTP 503)", null);
  }
}
