package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What the cluster shows in one stack's namespace, which exists. */
public record LiveStack(List<LiveService> services) {
  public LiveStack {
    services = List.copyOf(requireNonNull(services, "services is null"));
  }
}
