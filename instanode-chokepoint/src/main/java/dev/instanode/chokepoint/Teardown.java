package dev.instanode.chokepoint;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import dev.instanode.core.names.InfraName;
import java.util.List;

/**
 * One destruction asked of the chokepoint: every name it would remove (each is guarded before
 * anything runs), why, and the action that removes them.
 *
 * @param resourceType bounded label: {@code postgres}, {@code redis}, {@code stack}, ...
 * @param backend bounded label: {@code shared}, {@code dedicated}, {@code kubernetes}, ...
 * @param reason why (user_delete, expired, provision_rollback, ...); audited
 * @param action idempotent: removing something already gone succeeds
 */
public record Teardown(
    String resourceType,
    String backend,
    List<InfraName> names,
    String reason,
    RequestId requestId,
    Runnable action) {
  public Teardown {
    requireNonNull(resourceType, "resourceType is null");
    requireNonNull(backend, "backend is null");
    names = List.copyOf(requireNonNull(names, "names is null"));
    requireNonNull(reason, "reason is null");
    requireNonNull(requestId, "requestId is null");
    requireNonNull(action, "action is null");
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a teardown names what it removes");
    }
  }
}
