package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceToken;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The requests webhook receivers were sent. */
public final class WebhookRepository {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * One received request.
   *
   * @param headers name → values, in the order received, secrets already masked
   * @param body its bytes exactly as sent
   */
  public record Received(
      long id,
      Instant receivedAt,
      String method,
      String path,
      Optional<String> query,
      Map<String, List<String>> headers,
      byte[] body,
      String source) {
    public Received {
      requireNonNull(receivedAt, "receivedAt is null");
      requireNonNull(method, "method is null");
      requireNonNull(path, "path is null");
      requireNonNull(query, "query is null");
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      requireNonNull(body, "body is null");
      requireNonNull(source, "source is null");
    }
  }

  /** A request to store; its id and time come from the insert. */
  public record Incoming(
      String method,
      String path,
      Optional<String> query,
      Map<String, List<String>> headers,
      byte[] body,
      String source) {}

  private final Jdbi jdbi;

  public WebhookRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Whether the owner chose to store secret headers as sent; false for a receiver with no row. */
  public boolean storesSecretHeaders(ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT COALESCE((SELECT store_secret_headers FROM webhook_settings"
                    + " WHERE token = :token), false)")
            .bind("token", token.value())
            .mapTo(Boolean.class)
            .one());
  }

  public void setStoresSecretHeaders(ResourceToken token, boolean store) {
    jdbi.useHandle(h ->
        h.createUpdate(
                "INSERT INTO webhook_settings (token, store_secret_headers) VALUES (:token, :store)"
                    + " ON CONFLICT (token) DO UPDATE SET store_secret_headers = :store,"
                    + " updated_at = now()")
            .bind("token", token.value())
            .bind("store", store)
            .execute());
  }

  /**
   * Stores {@code request} and, in the same statement, deletes what the receiver holds beyond its
   * newest {@code keep} (this one included), by its number among the receiver's requests. Two
   * stored at the same moment may take the same number and leave one over until the next store.
   *
   * @return the stored request's id and time; empty when the receiver is not active (deleted or
   *     expired since it was looked up): nothing is stored for a receiver that is gone
   */
  public Optional<Received> store(ResourceToken token, Incoming request, long keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("a receiver keeps at least one request");
    }
    return jdbi.withHandle(h ->
        h.createQuery(
                """
                WITH stored AS (
                  INSERT INTO webhook_requests
                    (token, seq, method, path, query, headers, body, source)
                  SELECT :token,
                    COALESCE((SELECT max(seq) FROM webhook_requests WHERE token = :token), 0) + 1,
                    :method, :path, :query, CAST(:headers AS jsonb), :body, :source
                  WHERE EXISTS (
                    SELECT 1 FROM resources
                    WHERE token = :token AND resource_type = 'webhook' AND status = 'active')
                  RETURNING id, received_at, seq
                ), pruned AS (
                  DELETE FROM webhook_requests
                  WHERE token = :token AND seq <= (SELECT seq FROM stored) - :keep
                )
                SELECT id, received_at FROM stored
                """)
            .bind("token", token.value())
            .bind("method", request.method())
            .bind("path", request.path())
            .bind("query", request.query().orElse(null))
            .bind("headers", JSON.writeValueAsString(request.headers()))
            .bind("body", request.body())
            .bind("source", request.source())
            .bind("keep", keep)
            .map((rs, ctx) ->
                new Received(
                    rs.getLong("id"),
                    rs.getTimestamp("received_at").toInstant(),
                    request.method(),
                    request.path(),
                    request.query(),
                    request.headers(),
                    request.body(),
                    request.source()))
            .findOne());
  }

  /**
   * The newest requests first, those older than {@code before} when given, at most {@code limit}.
   */
  public List<Received> newestFirst(ResourceToken token, Optional<Long> before, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, received_at, method, path, query, headers::text AS headers, body,"
                    + " source FROM webhook_requests WHERE token = :token"
                    + (before.isPresent() ? " AND id < :before" : "")
                    + " ORDER BY id DESC LIMIT :limit")
            .bind("token", token.value())
            .bind("before", before.orElse(0L))
            .bind("limit", limit)
            .map((rs, ctx) -> row(rs))
            .list());
  }

  /**
   * Requests stored after {@code after}, oldest first, at most {@code limit}: what a stream sends.
   */
  public List<Received> after(ResourceToken token, long after, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT id, received_at, method, path, query, headers::text AS headers, body,"
                    + " source FROM webhook_requests WHERE token = :token AND id > :after"
                    + " ORDER BY id LIMIT :limit")
            .bind("token", token.value())
            .bind("after", after)
            .bind("limit", limit)
            .map((rs, ctx) -> row(rs))
            .list());
  }

  /** The id of the newest request, or 0: where a new stream starts. */
  public long newestId(ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT COALESCE(max(id), 0) FROM webhook_requests WHERE token = :token")
            .bind("token", token.value())
            .mapTo(Long.class)
            .one());
  }

  private static Received row(ResultSet rs) throws SQLException {
    Map<String, List<String>> headers =
        JSON.readValue(rs.getString("headers"), new TypeReference<Map<String, List<String>>>() {});
    return new Received(
        rs.getLong("id"),
        rs.getTimestamp("received_at").toInstant(),
        rs.getString("method"),
        rs.getString("path"),
        Optional.ofNullable(rs.getString("query")),
        headers,
        rs.getBytes("body"),
        rs.getString("source"));
  }
}
