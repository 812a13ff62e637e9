package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.ResourceId;
import dev.instanode.core.TeamId;
import java.util.Map;
import java.util.Optional;

/** One row for {@code audit_log}. {@code teamId} is empty for cluster-scoped events. */
public record AuditEvent(
    Optional<TeamId> teamId,
    Actor actor,
    AuditKind kind,
    Optional<String> resourceType,
    Optional<ResourceId> resourceId,
    String summary,
    Map<String, Object> metadata,
    Optional<String> requestId) {

  public enum Actor {
    AGENT,
    USER,
    SYSTEM,
    CLI
  }

  public AuditEvent {
    requireNonNull(teamId, "teamId is null");
    requireNonNull(actor, "actor is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(resourceType, "resourceType is null");
    requireNonNull(resourceId, "resourceId is null");
    requireNonNull(summary, "summary is null");
    metadata = Map.copyOf(metadata);
    requireNonNull(requestId, "requestId is null");
  }
}
