package dev.instanode.store;

import dev.instanode.chokepoint.DestructionAudit;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.core.AuditKind;
import dev.instanode.core.TeamId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The chokepoint's rows in the platform's {@code audit_log}, for what the api and worker destroy
 * themselves (stack namespaces). Written synchronously: a row that did not land throws, and the
 * chokepoint then does not act.
 */
public final class PlatformDestructionAudit implements DestructionAudit {
  private final AuditLog log;
  private final Optional<TeamId> team;

  /**
   * @param team the team whose infrastructure this is, or empty for anonymous or cluster-scoped
   */
  public PlatformDestructionAudit(AuditLog log, Optional<TeamId> team) {
    this.log = log;
    this.team = team;
  }

  @Override
  public void write(Event event, Teardown teardown, Optional<String> detail) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("names", teardown.names().stream().map(n -> n.kind() + ":" + n.masked()).toList());
    metadata.put("reason", teardown.reason());
    metadata.put("backend", teardown.backend());
    detail.ifPresent(d -> metadata.put("detail", d));
    log.writeOrThrow(
        new AuditEvent(
            team,
            AuditEvent.Actor.SYSTEM,
            kind(event),
            Optional.of(teardown.resourceType()),
            Optional.empty(),
            summary(event, teardown),
            metadata,
            Optional.of(teardown.requestId().value())));
  }

  private static AuditKind kind(Event event) {
    return switch (event) {
      case REQUESTED -> AuditKind.DEPROVISION_REQUESTED;
      case DROPPED -> AuditKind.DEPROVISION_DROPPED;
      case REFUSED -> AuditKind.DEPROVISION_REFUSED;
      case FAILED -> AuditKind.DEPROVISION_FAILED;
    };
  }

  private static String summary(Event event, Teardown teardown) {
    return switch (event) {
      case REQUESTED -> "Asked to tear down (" + teardown.reason() + ")";
      case DROPPED -> "Torn down";
      case REFUSED -> "Tear-down refused by the guard";
      case FAILED -> "Tear-down failed";
    };
  }
}
