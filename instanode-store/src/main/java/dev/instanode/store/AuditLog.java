package dev.instanode.store;

import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code audit_log} rows off the request path. Best effort: a failed write is logged, never
 * thrown, so an audit outage cannot fail a provision.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Jdbi jdbi;
  private final ExecutorService writer;

  public AuditLog(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.writer =
        Executors.newSingleThreadExecutor(Thread.ofVirtual().name("audit-writer").factory());
  }

  public void record(AuditEvent event) {
    try {
      writer.execute(() -> write(event));
    } catch (RuntimeException e) {
      LOG.warn("audit.dropped kind={} reason={}", event.kind().wire(), e.toString());
    }
  }

  /** Synchronous write, for callers that must know the row landed (tests, CLI). */
  public void write(AuditEvent event) {
    try {
      jdbi.useHandle(h ->
          h.createUpdate(
                  "INSERT INTO audit_log (team_id, actor, kind, resource_type, resource_id,"
                      + " summary, metadata, request_id) VALUES (:team_id, :actor, :kind,"
                      + " :resource_type, :resource_id, :summary, CAST(:metadata AS jsonb),"
                      + " :request_id)")
              .bind("team_id", event.teamId().map(t -> t.value()).orElse(null))
              .bind("actor", event.actor().name().toLowerCase(Locale.ROOT))
              .bind("kind", event.kind().wire())
              .bind("resource_type", event.resourceType().orElse(null))
              .bind("resource_id", event.resourceId().map(r -> r.value()).orElse(null))
              .bind("summary", event.summary())
              .bind("metadata", JSON.writeValueAsString(event.metadata()))
              .bind("request_id", event.requestId().orElse(null))
              .execute());
    } catch (RuntimeException e) {
      LOG.warn("audit.write_failed kind={} reason={}", event.kind().wire(), e.toString());
    }
  }

  /** Waits for queued rows, so a clean shutdown loses none. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("audit.shutdown_timeout: some audit rows were not written");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
