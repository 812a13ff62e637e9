package dev.instanode.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.ServiceSpec;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackQuota;
import dev.instanode.cluster.StackSpec;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.TeamId;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.stack.VaultRefs;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a stack as it is recorded: its services, each with the stack's persisted env under its
 * own (a service's manifest env wins over the stack's), in a namespace bounded by its tier's plan.
 * Idempotent, so a retry or a redeploy is the same call.
 */
public final class StackDeployer {
  static final String APPLY_SECONDS = "instant_stack_apply_seconds";

  private final StackRepository stacks;
  private final StackCluster cluster;
  private final Plans plans;
  private final AesGcm aes;
  private final String domain;
  private final MeterRegistry meters;
  private final VaultValues vault;

  /**
   * @param domain where exposed services are published: {@code <svc>-<slug>.<domain>}
   * @param vault where {@code vault://KEY} values are read, at every apply
   */
  public StackDeployer(
      StackRepository stacks,
      StackCluster cluster,
      Plans plans,
      AesGcm aes,
      String domain,
      MeterRegistry meters,
      VaultValues vault) {
    this.stacks = requireNonNull(stacks, "stacks is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.plans = requireNonNull(plans, "plans is null");
    this.aes = requireNonNull(aes, "aes is null");
    this.domain = requireNonNull(domain, "domain is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.vault = requireNonNull(vault, "vault is null");
  }

  /**
   * The spec {@link #apply} sends: what the cluster will run for {@code row}, its {@code vault://}
   * references read now.
   *
   * @throws IllegalArgumentException when the vault no longer holds a referenced key
   */
  public StackSpec spec(StackRecord row) {
    Map<String, String> stackEnv = stacks.env(row.id(), aes);
    Map<String, Map<String, String>> own = stacks.serviceEnvs(row.id(), aes);
    Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    for (var s : row.services()) {
      Map<String, String> env = new LinkedHashMap<>(stackEnv);
      env.putAll(own.getOrDefault(s.name(), Map.of()));
      envs.put(s.name(), env);
    }
    Set<String> keys = VaultRefs.referenced(envs.values());
    Map<String, String> values = keys.isEmpty() ? Map.of() : vault.read(row, keys);
    List<ServiceSpec> services =
        row.services().stream()
            .map(s ->
                new ServiceSpec(
                    s.name(),
                    s.image(),
                    s.port(),
                    s.expose(),
                    VaultRefs.resolve(envs.get(s.name()), values)))
            .toList();
    Plan.StackLimits limits = plans.of(row.tier()).stacks();
    return new StackSpec(
        row.slug(),
        row.team().map(TeamId::value).map(Object::toString),
        row.tier().wireName(),
        new StackQuota(
            limits.cpuMillis(),
            limits.memoryMb(),
            limits.pods(),
            limits.containerCpuMillis(),
            limits.containerMemoryMb()),
        services,
        domain);
  }

  public void apply(StackRecord row) {
    StackSpec spec = spec(row);
    Timer.builder(APPLY_SECONDS)
        .description("Time to apply a stack's objects to the cluster")
        .tag("cluster", cluster.simulated() ? "simulated" : "kubernetes")
        .publishPercentileHistogram()
        .register(meters)
        .record(() -> cluster.apply(spec));
  }
}
