package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.names.NamespaceName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One of our namespaces as the cluster lists it.
 *
 * @param createdAt its {@code creationTimestamp}; empty when the cluster gave none or one that does
 *     not parse (an age that cannot be read is never taken for an old one)
 * @param labels its labels, as set
 * @param terminating being deleted already ({@code deletionTimestamp} set, or phase {@code
 *     Terminating})
 * @param ours labelled as made by instanode ({@code app.kubernetes.io/managed-by=instanode}) and by
 *     the installation that lists it ({@link Installation#LABEL}): the only namespaces a sweep may
 *     delete
 */
public record TenantNamespace(
    NamespaceName name,
    Optional<Instant> createdAt,
    Map<String, String> labels,
    boolean terminating,
    boolean ours) {
  public TenantNamespace {
    requireNonNull(name, "name is null");
    requireNonNull(createdAt, "createdAt is null");
    labels = Map.copyOf(requireNonNull(labels, "labels is null"));
  }
}
