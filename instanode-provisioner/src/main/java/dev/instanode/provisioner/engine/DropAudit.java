package dev.instanode.provisioner.engine;

import static java.util.Objects.requireNonNull;

import dev.instanode.chokepoint.DestructionAudit;
import dev.instanode.chokepoint.Teardown;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code drop_audit} table in the provisioner's database: one row when a destruction is asked
 * for, before anything runs, and one with its outcome. The provisioner may run apart from the
 * platform database, so its trail lives beside its pool.
 */
public final class DropAudit implements DestructionAudit {
  /** One row as read back. */
  public record Row(
      Event event,
      String resourceType,
      String backend,
      List<String> names,
      String reason,
      String requestId,
      Optional<String> detail) {}

  private final Jdbi jdbi;

  public DropAudit(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  @Override
  public void write(Event event, Teardown teardown, Optional<String> detail) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "INSERT INTO drop_audit (event, resource_type, backend, names, reason,"
                    + " request_id, detail) VALUES (:event, :type, :backend, :names, :reason,"
                    + " :request, :detail)")
            .bind("event", event.wireName())
            .bind("type", teardown.resourceType())
            .bind("backend", teardown.backend())
            .bindArray(
                "names",
                String.class,
                teardown.names().stream().map(n -> n.kind() + ":" + n.masked()).toList())
            .bind("reason", teardown.reason())
            .bind("request", teardown.requestId().value())
            .bind("detail", detail.orElse(null))
            .execute());
  }

  /** Every row of one request, oldest first: what an operator reads to see what happened. */
  public List<Row> ofRequest(String requestId) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT event, resource_type, backend, names, reason, request_id, detail"
                    + " FROM drop_audit WHERE request_id = :request ORDER BY id")
            .bind("request", requestId)
            .map((rs, ctx) ->
                new Row(
                    eventOf(rs.getString("event")),
                    rs.getString("resource_type"),
                    rs.getString("backend"),
                    List.of((String[]) rs.getArray("names").getArray()),
                    rs.getString("reason"),
                    rs.getString("request_id"),
                    Optional.ofNullable(rs.getString("detail"))))
            .list());
  }

  private static Event eventOf(String wire) {
    for (Event e : Event.values()) {
      if (e.wireName().equals(wire)) {
        return e;
      }
    }
    throw new IllegalStateException("unknown drop_audit event " + wire);
  }
}
