package dev.instanode.provisioner.dedicated;

import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.DedicatedObjects;
import dev.instanode.cluster.DedicatedServer;
import dev.instanode.cluster.DedicatedSpec;
import dev.instanode.cluster.DedicatedState;
import dev.instanode.cluster.ServiceAddress;
import dev.instanode.cluster.TenantNamespace;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.SkipReason;
import io.grpc.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dedicated server's life on the cluster, whatever the engine: start it and wait, within the
 * deadline, until its pod is Ready and the engine's own check passes; find it again for later
 * calls; list every server of one type.
 */
final class DedicatedServers {
  private static final Logger LOG = LoggerFactory.getLogger(DedicatedServers.class);

  private final DedicatedCluster cluster;
  private final DedicatedSettings settings;
  private final Plans plans;
  private final Clock clock;

  DedicatedServers(DedicatedCluster cluster, DedicatedSettings settings, Plans plans, Clock clock) {
    this.cluster = cluster;
    this.settings = settings;
    this.plans = plans;
    this.clock = clock;
  }

  /**
   * What {@code token}'s server runs, sized by its tier's plan.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the tier has no dedicated servers
   */
  DedicatedSpec spec(
      ResourceToken token,
      Tier tier,
      TeamId owner,
      ResourceType type,
      DedicatedServer server,
      Map<String, String> adminSecret) {
    Plan.DedicatedSize size =
        plans
            .of(tier)
            .dedicatedServer()
            .orElseThrow(() ->
                new ProvisionerException(
                    ProvisionerException.Kind.INVALID_ARGUMENT,
                    "tier " + tier.wireName() + " has no dedicated servers",
                    null));
    return new DedicatedSpec(
        NamespaceName.forCustomer(token),
        owner.toString(),
        tier.wireName(),
        type.wireName(),
        server,
        adminSecret,
        size,
        settings.storageClass(),
        settings.nodePort());
  }

  DedicatedSettings settings() {
    return settings;
  }

  /** What a later call needs of a running server: where it is and its admin credentials. */
  record Running(ServiceAddress address, Map<String, String> secret) {
    @Override
    public String toString() {
      return "Running[address=" + address + ", secret=***]";
    }
  }

  /**
   * Applies the spec, waits for the pod to be Ready, then runs {@code check} (the engine makes its
   * tenant and proves the tenant's credentials work) until it succeeds, all before the deadline.
   *
   * @throws ProvisionerException {@code UNAVAILABLE} past the deadline, naming what it waited on
   */
  <T> T start(DedicatedSpec spec, CheckedStart<T> check) {
    Instant deadline = clock.instant().plus(settings.readyTimeout());
    onCluster(() -> {
      cluster.apply(spec);
      return null;
    });
    NamespaceName ns = spec.namespace();
    String server = spec.server().name();
    List<String> lastReasons = List.of();
    while (true) {
      DedicatedState state;
      try {
        state = cluster.state(ns, server);
      } catch (ClusterUnavailableException e) {
        // The cluster's answer, not the server's: wait on, within the deadline.
        lastReasons = List.of("cluster not answering");
        waitOrGiveUp(deadline, "its pod to be Ready" + reasons(lastReasons));
        continue;
      }
      if (state instanceof DedicatedState.Absent) {
        throw new ProvisionerException(
            ProvisionerException.Kind.INTERNAL,
            "the dedicated namespace was deleted while its server started",
            null);
      }
      if (state instanceof DedicatedState.Ready) {
        break;
      }
      if (state instanceof DedicatedState.Starting starting) {
        lastReasons = starting.reasons();
      }
      waitOrGiveUp(deadline, "its pod to be Ready" + reasons(lastReasons));
    }
    ProvisionerException last = null;
    while (true) {
      Optional<Running> running;
      try {
        running = running(ns, server);
      } catch (ClusterUnavailableException e) {
        running = Optional.empty();
      }
      if (running.isPresent()) {
        try {
          return check.attempt(running.get());
        } catch (ProvisionerException e) {
          if (e.kind() != ProvisionerException.Kind.UNAVAILABLE) {
            throw e;
          }
          last = e;
        }
      }
      waitOrGiveUp(
          deadline,
          last == null
              ? "its Service to have an address"
              : "its server to accept the tenant (" + last.getMessage() + ")");
    }
  }

  /** A step of {@link #start} that may be tried again while the server comes up. */
  @FunctionalInterface
  interface CheckedStart<T> {
    /**
     * @throws ProvisionerException {@code UNAVAILABLE} to be tried again, anything else to fail
     */
    T attempt(Running running);
  }

  private static String reasons(List<String> reasons) {
    return reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")";
  }

  private void waitOrGiveUp(Instant deadline, String waitingFor) {
    if (Context.current().isCancelled()) {
      // A remote caller gave up (its deadline, or it went away): stop, and tear down.
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE,
          "the caller cancelled while the dedicated server started",
          null);
    }
    if (!clock.instant().isBefore(deadline)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE,
          "the dedicated server was not ready within "
              + settings.readyTimeout().toSeconds()
              + "s: waited for "
              + waitingFor,
          null);
    }
    try {
      Thread.sleep(settings.pollInterval());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "interrupted while waiting", e);
    }
  }

  /** True when the server's pod is Ready; a cluster that does not answer is an error. */
  boolean ready(NamespaceName ns, String server) {
    return onCluster(() -> cluster.state(ns, server)) instanceof DedicatedState.Ready;
  }

  /** The server's address and Secret, when both exist. */
  Optional<Running> running(NamespaceName ns, String server) {
    Optional<Map<String, String>> secret = cluster.adminSecret(ns, server);
    Optional<ServiceAddress> address = cluster.address(ns, server);
    return secret.isPresent() && address.isPresent()
        ? Optional.of(new Running(address.get(), secret.get()))
        : Optional.empty();
  }

  /**
   * The server a regrade acts on, or why it cannot: a missing namespace or Secret is an unexpected
   * skip (seed 004), never a regrade silently taken as applied.
   */
  sealed interface Found {}

  record Here(Running running) implements Found {}

  record Skip(RegradeResult result) implements Found {}

  Found forRegrade(NamespaceName ns, String server, long limit, SkipReason secretMissing) {
    DedicatedState state;
    Optional<Map<String, String>> secret;
    Optional<ServiceAddress> address;
    try {
      state = cluster.state(ns, server);
      secret = cluster.adminSecret(ns, server);
      address = cluster.address(ns, server);
    } catch (ClusterUnavailableException e) {
      return new Skip(
          RegradeResult.skipped(
              limit,
              SkipReason.RESOURCE_NOT_REACHABLE,
              "cluster not reachable: " + e.getMessage()));
    }
    if (state instanceof DedicatedState.Absent) {
      return new Skip(
          RegradeResult.skipped(
              limit, SkipReason.NAMESPACE_NOT_FOUND, "namespace not found (resource orphaned)"));
    }
    if (state instanceof DedicatedState.NoPod) {
      return new Skip(RegradeResult.skipped(limit, SkipReason.POD_NOT_FOUND, "pod not found"));
    }
    if (secret.isEmpty()) {
      return new Skip(
          RegradeResult.skipped(limit, secretMissing, server + " admin secret missing"));
    }
    if (address.isEmpty() || !(state instanceof DedicatedState.Ready)) {
      return new Skip(
          RegradeResult.skipped(
              limit, SkipReason.RESOURCE_NOT_REACHABLE, "dedicated server not reachable"));
    }
    return new Here(new Running(address.get(), secret.get()));
  }

  /**
   * The server of {@code ns} for a call that must reach it.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the namespace or its server is gone,
   *     {@code UNAVAILABLE} when the cluster does not answer
   */
  Running require(NamespaceName ns, String server) {
    return onCluster(() -> running(ns, server))
        .orElseThrow(() ->
            new ProvisionerException(
                ProvisionerException.Kind.INVALID_ARGUMENT,
                "the dedicated server does not exist",
                null));
  }

  /** Deletes the namespace; a namespace already gone is success. */
  void delete(NamespaceName ns) {
    boolean existed = onCluster(() -> cluster.deleteNamespace(ns));
    LOG.info("provisioner.dedicated_deleted namespace={} existed={}", ns.masked(), existed);
  }

  /** Every live dedicated namespace serving {@code resourceType}; an error when the list failed. */
  List<NamespaceName> namespacesOf(String resourceType) {
    List<NamespaceName> found = new ArrayList<>();
    onCluster(() -> {
      cluster.eachNamespacePage(
          NamespaceName.Kind.CUSTOMER,
          500,
          page -> {
            for (TenantNamespace n : page) {
              // Another installation's servers on the same cluster are never read, let alone
              // acted on (their admin Secrets, their tenants' sessions).
              if (n.ours()
                  && !n.terminating()
                  && resourceType.equals(n.labels().get(DedicatedObjects.RESOURCE_TYPE))) {
                found.add(n.name());
              }
            }
          });
      return null;
    });
    return found;
  }

  /**
   * Runs {@code work} on each Ready server of this installation that serves {@code type}. A server
   * not Ready (starting, or down) is passed over: its tenant goes unmeasured, which its live row
   * then shows. One whose work fails is logged and the rest go on.
   *
   * @return true when no server's work failed
   * @throws ProvisionerException {@code UNAVAILABLE} when the servers could not be listed
   */
  boolean eachReady(
      ResourceType type, String server, String what, BiConsumer<NamespaceName, Running> work) {
    boolean allDone = true;
    for (NamespaceName ns : namespacesOf(type.wireName())) {
      try {
        if (ready(ns, server)) {
          work.accept(ns, require(ns, server));
        }
      } catch (RuntimeException e) {
        allDone = false;
        LOG.warn(
            "provisioner.dedicated_{}_failed namespace={} error={}",
            what,
            ns.masked(),
            e.toString());
      }
    }
    return allDone;
  }

  /** Runs {@code work}, with a cluster error as {@code UNAVAILABLE}. */
  static <T> T onCluster(Supplier<T> work) {
    try {
      return work.get();
    } catch (ClusterUnavailableException e) {
      throw new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, e.getMessage(), e);
    }
  }
}
