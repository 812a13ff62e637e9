package dev.instanode.store;

import dev.instanode.core.AuditKind;
import dev.instanode.core.TeamId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code audit_log} rows off the request path. Best effort: a failed write is logged, never
 * thrown, so an audit outage cannot fail a provision. One writer drains whatever is queued into one
 * transaction, so a burst of requests costs the database one commit (one WAL flush) per batch
 * rather than one per row.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_BATCH = 500;
  private static final int MAX_QUEUED = 100_000;
  private static final int EXPORT_PAGE = 1000;
  private static final String INSERT =
      "INSERT INTO audit_log (team_id, actor, kind, resource_type, resource_id,"
          + " summary, metadata, request_id) VALUES (:team_id, :actor, :kind,"
          + " :resource_type, :resource_id, :summary, CAST(:metadata AS jsonb), :request_id)";

  private final Jdbi jdbi;
  private final BlockingQueue<AuditEvent> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final Thread writer;
  private volatile boolean closing;

  public AuditLog(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.writer = Thread.ofVirtual().name("audit-writer").start(this::drain);
  }

  public void record(AuditEvent event) {
    if (closing || !queue.offer(event)) {
      LOG.warn("audit.dropped kind={} reason={}", event.kind().wire(), closing ? "closed" : "full");
    }
  }

  /**
   * True when a row of {@code kind} with no team, whose metadata has {@code key} = {@code value},
   * was written within {@code within} (by the database's clock): for a job that finds the same
   * thing every pass and should say so once, not every pass.
   */
  public boolean recentlyRecorded(AuditKind kind, String key, String value, Duration within) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE team_id IS NULL AND kind = :kind"
                    + " AND created_at >= now() - make_interval(secs => :secs)"
                    + " AND metadata ->> :key = :value)")
            .bind("kind", kind.wire())
            .bind("secs", (double) within.toSeconds())
            .bind("key", key)
            .bind("value", value)
            .mapTo(Boolean.class)
            .one());
  }

  /** Synchronous write, for callers that must know the row landed (tests, CLI, jobs). */
  public void write(AuditEvent event) {
    try {
      jdbi.useHandle(h -> insert(h, List.of(event)));
    } catch (RuntimeException e) {
      LOG.warn("audit.write_failed kind={} reason={}", event.kind().wire(), e.toString());
    }
  }

  /** In the caller's transaction: the row lands if and only if what it records does. */
  public static void writeIn(Handle h, AuditEvent event) {
    insert(h, List.of(event));
  }

  /** Synchronous, and a row that did not land throws: for audits that must precede an act. */
  public void writeOrThrow(AuditEvent event) {
    jdbi.useHandle(h -> insert(h, List.of(event)));
  }

  private void drain() {
    List<AuditEvent> batch = new ArrayList<>();
    while (!(closing && queue.isEmpty())) {
      try {
        AuditEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void writeBatch(List<AuditEvent> batch) {
    try {
      jdbi.useTransaction(h -> insert(h, batch));
    } catch (RuntimeException e) {
      // One bad row must not cost its neighbours theirs: retry them one by one.
      LOG.warn("audit.batch_failed rows={} reason={}", batch.size(), e.toString());
      batch.forEach(this::write);
    }
  }

  private static void insert(Handle h, List<AuditEvent> events) {
    PreparedBatch insert = h.prepareBatch(INSERT);
    for (AuditEvent event : events) {
      insert
          .bind("team_id", event.teamId().map(t -> t.value()).orElse(null))
          .bind("actor", event.actor().name().toLowerCase(Locale.ROOT))
          .bind("kind", event.kind().wire())
          .bind("resource_type", event.resourceType().orElse(null))
          .bind("resource_id", event.resourceId().map(r -> r.value()).orElse(null))
          .bind("summary", event.summary())
          .bind("metadata", JSON.writeValueAsString(event.metadata()))
          .bind("request_id", event.requestId().orElse(null))
          .add();
    }
    insert.execute();
  }

  /**
   * What a team's trail is read by; each part narrows it when present.
   *
   * @param resource a resource's token or a stack's slug, as the team knows them
   */
  public record Filter(
      TeamId team,
      Optional<String> kind,
      Optional<String> actor,
      Optional<String> resource,
      Optional<Instant> since) {}

  /**
   * One row as a team reads it: the resource named by its public token or slug, never the internal
   * id.
   */
  public record Entry(
      UUID id,
      String kind,
      String actor,
      Optional<String> resourceType,
      Optional<String> resource,
      String summary,
      String metadata,
      Optional<String> requestId,
      Instant createdAt) {}

  private static final String READ =
      "SELECT a.id, a.kind, a.actor, a.resource_type,"
          + " coalesce(r.token::text, s.slug) AS resource, a.summary, a.metadata::text AS metadata,"
          + " a.request_id, a.created_at FROM audit_log a"
          + " LEFT JOIN resources r ON r.id = a.resource_id"
          + " LEFT JOIN stacks s ON s.id = a.resource_id"
          + " WHERE a.team_id = :team"
          + " AND (CAST(:kind AS text) IS NULL OR a.kind = :kind)"
          + " AND (CAST(:actor AS text) IS NULL OR a.actor = :actor)"
          + " AND (CAST(:resource AS text) IS NULL OR r.token::text = :resource"
          + " OR s.slug = :resource)"
          + " AND (CAST(:since AS timestamptz) IS NULL OR a.created_at >= :since)";

  /** The team's rows, newest first, after the cursor ({@code created_at}, {@code id}). */
  public List<Entry> page(Filter filter, Optional<ResourceRepository.Keyset> after, int limit) {
    return jdbi.withHandle(h ->
        ResourceRepository.Keyset.bindAfter(
                bind(
                    h.createQuery(
                        READ
                            + " AND (CAST(:at AS timestamptz) IS NULL OR (a.created_at, a.id) < (:at,"
                            + " :id)) ORDER BY a.created_at DESC, a.id DESC LIMIT :limit"),
                    filter),
                after)
            .bind("limit", limit)
            .map(AuditLog::entry)
            .list());
  }

  /**
   * Hands every matching row, newest first, to {@code each}, a keyset page of 1000 at a time: no
   * connection is held while {@code each} runs (it may be writing to a slow client), and a long
   * trail is never held in memory.
   */
  public void each(Filter filter, Consumer<Entry> each) {
    Optional<ResourceRepository.Keyset> after = Optional.empty();
    while (true) {
      List<Entry> page = page(filter, after, EXPORT_PAGE);
      page.forEach(each);
      if (page.size() < EXPORT_PAGE) {
        return;
      }
      Entry last = page.getLast();
      after = Optional.of(new ResourceRepository.Keyset(last.createdAt(), last.id()));
    }
  }

  private static Query bind(Query query, Filter filter) {
    return query
        .bind("team", filter.team().value())
        .bind("kind", filter.kind().orElse(null))
        .bind("actor", filter.actor().orElse(null))
        .bind("resource", filter.resource().orElse(null))
        .bind("since", filter.since().map(Timestamp::from).orElse(null));
  }

  private static Entry entry(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Entry(
        rs.getObject("id", UUID.class),
        rs.getString("kind"),
        rs.getString("actor"),
        Optional.ofNullable(rs.getString("resource_type")),
        Optional.ofNullable(rs.getString("resource")),
        rs.getString("summary"),
        rs.getString("metadata"),
        Optional.ofNullable(rs.getString("request_id")),
        rs.getTimestamp("created_at").toInstant());
  }

  /** Waits for queued rows, so a clean shutdown loses none. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.warn("audit.shutdown_timeout: some audit rows were not written");
      writer.interrupt();
      return;
    }
    // A record() that passed the closing check just as the writer finished lands here.
    List<AuditEvent> late = new ArrayList<>();
    queue.drainTo(late);
    if (!late.isEmpty()) {
      writeBatch(late);
    }
  }
}
