package dev.instanode.server;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.stacks.SealedVault;
import dev.instanode.stacks.StackApplier;
import dev.instanode.stacks.StackDeployer;
import dev.instanode.stacks.StackObserver;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.StackRepository;
import dev.instanode.store.VaultRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack parts the api and the worker share: the cluster ({@code KUBERNETES_MODE}) and what
 * deploys, observes and tears stacks down on it. None when stacks are off.
 */
final class StackAssembly {
  private static final Logger LOG = LoggerFactory.getLogger(StackAssembly.class);

  /** Built once; the api and the worker act on the same cluster through the same objects. */
  record Parts(
      StackCluster cluster,
      StackRepository stacks,
      StackObserver observer,
      StackTeardown teardown,
      StackDeployer deployer,
      StackApplier applier,
      DropGuard guard) {}

  private StackAssembly() {}

  static Optional<Parts> build(
      Config config, Optional<StackCluster> cluster, SharedParts shared, Owned owned) {
    return cluster.map(c -> {
      StackRepository stacks = new StackRepository(shared.db().jdbi());
      StackDeployer deployer =
          new StackDeployer(
              stacks,
              c,
              shared.plans(),
              shared.aes(),
              config.stacks().domain(),
              shared.meters(),
              new SealedVault(
                  new VaultRepository(shared.db().jdbi()), shared.aes(), shared.audit()));
      // Namespace rules need no deployment's names: only tenant-prefixed namespaces may go. The
      // teardown and the worker's orphan sweep check every namespace against this one guard.
      DropGuard guard = new DropGuard(Set.of());
      StackTeardown teardown = new StackTeardown(stacks, c, guard, shared.audit(), shared.meters());
      return new Parts(
          c,
          stacks,
          new StackObserver(stacks, c, shared.meters()),
          teardown,
          deployer,
          owned.own(new StackApplier(deployer, stacks, teardown, shared.meters())),
          guard);
    });
  }

  /** What the ready line and logs say about where stacks run. */
  static String describe(Config config, boolean injected) {
    if (injected) {
      return "stacks on the given cluster";
    }
    return switch (config.stacks().mode()) {
      case OFF -> "stacks off (KUBERNETES_MODE=off)";
      case SIMULATED ->
          "stacks on a simulated Kubernetes cluster (objects stored, no container runs)";
      case AUTO ->
          environmentNamesACluster()
              ? "stacks on the Kubernetes cluster in "
                  + Optional.ofNullable(System.getenv("KUBECONFIG")).orElse("the environment")
              : "stacks off (no KUBECONFIG, ~/.kube/config or service account found)";
    };
  }

  /** The cluster {@code KUBERNETES_MODE} names, owned by {@code owned}; none when off. */
  static Optional<StackCluster> cluster(Config config, Owned owned, Installation installation) {
    return switch (config.stacks().mode()) {
      case OFF -> {
        LOG.info("stacks.off reason=kubernetes_mode_off");
        yield Optional.empty();
      }
      case SIMULATED -> {
        LOG.warn(
            "stacks.simulated: a mock Kubernetes API in this process stores stacks' objects; no"
                + " container runs and no stack reports healthy");
        yield Optional.of(owned.own(Clusters.simulated(installation)));
      }
      case AUTO -> {
        if (!environmentNamesACluster()) {
          LOG.warn(
              "stacks.off reason=no_cluster: KUBERNETES_MODE=auto found no KUBECONFIG,"
                  + " ~/.kube/config or service account; stack routes answer 503");
          yield Optional.empty();
        }
        yield Optional.of(owned.own(Clusters.fromEnvironment(installation)));
      }
    };
  }

  /** KUBECONFIG, ~/.kube/config, or the service account Kubernetes mounts in its pods. */
  private static boolean environmentNamesACluster() {
    String kubeconfig = System.getenv("KUBECONFIG");
    return (kubeconfig != null && !kubeconfig.isBlank())
        || Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"))
        || System.getenv("KUBERNETES_SERVICE_HOST") != null;
  }
}
