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

  private static final String LIVE_RECEIVER = ResourceRepository.LIVE_WEBHOOK_FOR_SHARE;

  /**
   * What a receiver's owner chose.
   *
   * @param encryptedSigningSecret the secret senders sign with, as stored (encrypted); empty: none
   */
  public record Settings(boolean storeSecretHeaders, Optional<String> encryptedSigningSecret) {
    public static final Settings DEFAULTS = new Settings(false, Optional.empty());

    @Override
    public String toString() {
      return "Settings[storeSecretHeaders=" + storeSecretHeaders + ", signingSecret=***]";
    }
  }

  /** The receiver's settings; the defaults for a receiver with no row. */
  public Settings settings(ResourceToken token) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "SELECT store_secret_headers, signing_secret FROM webhook_receivers"
                    + " WHERE token = :token")
            .bind("token", token.value())
            .map((rs, ctx) ->
                new Settings(
                    rs.getBoolean("store_secret_headers"),
                    Optional.ofNullable(rs.getString("signing_secret"))))
            .findOne()
            .orElse(Settings.DEFAULTS));
  }

  /**
   * Records the owner's choices; false when the receiver is not active (a choice never outlives the
   * receiver's drop, which deletes its row).
   */
  public boolean saveSettings(ResourceToken token, Settings settings) {
    return jdbi.withHandle(h ->
        h.createUpdate(
                    "INSERT INTO webhook_receivers (token, store_secret_headers, signing_secret)"
                        + " SELECT :token, :store, :secret WHERE EXISTS ("
                        + LIVE_RECEIVER
                        + ") ON CONFLICT (token) DO UPDATE SET store_secret_headers = :store,"
                        + " signing_secret = :secret, updated_at = now()")
                .bind("token", token.value())
                .bind("store", settings.storeSecretHeaders())
                .bind("secret", settings.encryptedSigningSecret().orElse(null))
                .execute()
            == 1);
  }

  /**
   * Stores {@code request} and, in the same statement, deletes what the receiver holds beyond its
   * newest {@code keep} (this one included), by its number among the receiver's requests. The
   * receiver's row is locked to number it, so its stores commit one at a time, in order; and its
   * resource row is read FOR SHARE, so a delete or expiry that is changing it is waited for and a
   * receiver that is no longer active gets nothing.
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
                "WITH numbered AS ("
                    + " INSERT INTO webhook_receivers (token, seq)"
                    + " SELECT :token, 1 WHERE EXISTS ("
                    + LIVE_RECEIVER
                    + ") ON CONFLICT (token) DO UPDATE SET seq = webhook_receivers.seq + 1"
                    + " RETURNING seq"
                    + "), stored AS ("
                    + " INSERT INTO webhook_requests"
                    + " (token, seq, method, path, query, headers, body, source)"
                    + " SELECT :token, seq, :method, :path, :query, CAST(:headers AS json), :body,"
                    + " :source FROM numbered"
                    + " RETURNING id, received_at, seq"
                    + "), pruned AS ("
                    + " DELETE FROM webhook_requests"
                    + " WHERE token = :token AND seq <= (SELECT seq FROM stored) - :keep"
                    + ")"
                    + " SELECT id, received_at FROM stored")
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
   * Bodies one read returns at most, summed: a page of 200 requests of 1 MiB each would otherwise
   * be held (and encoded twice) in memory at once. The first request is always returned.
   */
  public static final long MAX_PAGE_BYTES = 4L * 1024 * 1024;

  /**
   * The newest requests first, those older than {@code before} when given, at most {@code limit}
   * and {@link #MAX_PAGE_BYTES} of bodies.
   */
  public List<Received> newestFirst(ResourceToken token, Optional<Long> before, int limit) {
    return page(
        "token = :token" + (before.isPresent() ? " AND id < :before" : ""),
        "DESC",
        token,
        before.orElse(0L),
        limit);
  }

  /**
   * Requests stored after {@code after}, oldest first, at most {@code limit} and {@link
   * #MAX_PAGE_BYTES} of bodies: what a stream sends next.
   */
  public List<Received> after(ResourceToken token, long after, int limit) {
    return page("token = :token AND id > :before", "ASC", token, after, limit);
  }

  private List<Received> page(
      String where, String order, ResourceToken token, long bound, int limit) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "WITH page AS (SELECT id, octet_length(body) AS size,"
                    + " sum(octet_length(body)) OVER (ORDER BY id "
                    + order
                    + ") AS upto FROM webhook_requests WHERE "
                    + where
                    + " ORDER BY id "
                    + order
                    + " LIMIT :limit)"
                    + " SELECT w.id, w.received_at, w.method, w.path, w.query,"
                    + " w.headers::text AS headers, w.body, w.source"
                    + " FROM webhook_requests w JOIN page p ON p.id = w.id"
                    + " WHERE p.upto - p.size < :max_bytes ORDER BY w.id "
                    + order)
            .bind("token", token.value())
            .bind("before", bound)
            .bind("limit", limit)
            .bind("max_bytes", MAX_PAGE_BYTES)
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
