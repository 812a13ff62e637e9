package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What the cluster shows in one stack's namespace, which exists.
 *
 * @param tier the tier its namespace was last applied at (its quota's), from its label
 */
public record LiveStack(List<LiveService> services, Optional<String> tier) {
  public LiveStack {
    services = List.copyOf(requireNonNull(services, "services is null"));
    requireNonNull(tier, "tier is null");
  }

  public LiveStack(List<LiveService> services) {
    this(services, Optional.empty());
  }
}
