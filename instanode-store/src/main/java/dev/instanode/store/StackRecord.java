package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackId;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.StackStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@code stacks} row and its services. Its env values are read apart: they are secrets.
 *
 * @param updatedAt when the status last changed, the env was last changed (a redeploy), or the
 *     delete began; a service-only observation does not move it, so a {@code deploying} stack has
 *     been deploying at least since then
 */
public record StackRecord(
    StackId id,
    StackSlug slug,
    NamespaceName namespace,
    Optional<TeamId> team,
    String name,
    String env,
    StackStatus status,
    Tier tier,
    Optional<Instant> expiresAt,
    Instant createdAt,
    Instant updatedAt,
    List<Service> services) {
  public StackRecord {
    requireNonNull(id, "id is null");
    requireNonNull(slug, "slug is null");
    requireNonNull(namespace, "namespace is null");
    requireNonNull(team, "team is null");
    requireNonNull(status, "status is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(expiresAt, "expiresAt is null");
    requireNonNull(createdAt, "createdAt is null");
    requireNonNull(updatedAt, "updatedAt is null");
    services = List.copyOf(services);
  }

  /** One {@code stack_services} row. */
  public record Service(
      String name,
      String image,
      int port,
      boolean expose,
      String status,
      Optional<String> reason) {}
}
