package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import java.util.List;
import java.util.Optional;

/**
 * Everything the cluster needs to run one stack: its namespace (always the slug's), who owns it,
 * its tier's bounds and its services.
 *
 * @param owner the owning team's id, or empty for an anonymous stack
 * @param domain where exposed services are published: {@code <svc>-<slug>.<domain>}
 */
public record StackSpec(
    StackSlug slug,
    Optional<String> owner,
    String tier,
    StackQuota quota,
    List<ServiceSpec> services,
    String domain) {
  public StackSpec {
    requireNonNull(slug, "slug is null");
    requireNonNull(owner, "owner is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(quota, "quota is null");
    services = List.copyOf(requireNonNull(services, "services is null"));
    requireNonNull(domain, "domain is null");
    if (services.isEmpty()) {
      throw new IllegalArgumentException("a stack has at least one service");
    }
  }

  public NamespaceName namespace() {
    return NamespaceName.forStack(slug);
  }
}
