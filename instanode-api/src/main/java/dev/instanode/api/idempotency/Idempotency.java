package dev.instanode.api.idempotency;

import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.crypto.Sha256;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code Idempotency-Key}: the first request with a key runs; a repeat with the same body within 24
 * h gets the stored response; a repeat with another body, or while the first is still running, gets
 * 409. 5xx responses are never stored, so a retry after a failure really retries.
 */
public final class Idempotency {
  public static final String HEADER = "Idempotency-Key";
  // Longer than the slowest provision (the gRPC deadline is 4 min), so a client that times out
  // and retries cannot start a second provision while the first still runs.
  private static final Duration IN_FLIGHT = Duration.ofMinutes(5);
  private static final Duration KEEP = Duration.ofHours(24);
  private static final int MAX_KEY = 255;

  /**
   * Shortest key an anonymous caller may use. Its scope is a network that many people share, so the
   * key is the only thing that tells one person's retry from a neighbour's request, and a replay
   * hands out credentials: it must be hard to guess.
   */
  public static final int MIN_ANONYMOUS_KEY = 16;

  private final PlatformRedis redis;
  private final JsonMapper json;
  private final AesGcm aes;

  /** Stored replies hold credentials, so they are kept AES-GCM encrypted like every URL at rest. */
  public Idempotency(PlatformRedis redis, JsonMapper json, AesGcm aes) {
    this.redis = redis;
    this.json = json;
    this.aes = aes;
  }

  /** What to do with a request. */
  public sealed interface Start {}

  /** Run it, then {@link #complete} or {@link #abandon}. */
  public record Proceed(Optional<String> redisKey, String bodyHash) implements Start {}

  public record Replay(int status, String body) implements Start {}

  /**
   * @param minKeyLength 1 for a team's scope, {@link #MIN_ANONYMOUS_KEY} for a network's
   */
  public Start begin(
      String scope, String route, String headerValue, byte[] body, int minKeyLength) {
    if (headerValue == null) {
      // Nothing is stored without a key, so there is nothing to compare a hash with.
      return new Proceed(Optional.empty(), "");
    }
    String bodyHash = Sha256.hex(body);
    if (headerValue.isBlank()
        || headerValue.length() < minKeyLength
        || headerValue.length() > MAX_KEY) {
      throw new ApiException(
          ErrorCode.INVALID_IDEMPOTENCY_KEY,
          "Idempotency-Key must be " + minKeyLength + "-" + MAX_KEY + " characters.");
    }
    String key = "idem:" + scope + ":" + route + ":" + Sha256.hex(headerValue);
    ObjectNode marker =
        json.createObjectNode().put("state", "in_progress").put("body_hash", bodyHash);
    Optional<String> claimed =
        redis.tryWith(
            "idempotency",
            r -> r.set(key, marker.toString(), SetArgs.Builder.nx().ex(IN_FLIGHT.toSeconds())));
    if (claimed.isPresent() && "OK".equals(claimed.get())) {
      return new Proceed(Optional.of(key), bodyHash);
    }
    Optional<String> existing = redis.tryWith("idempotency", r -> r.get(key));
    if (existing.isEmpty()) {
      // Redis failed (or the marker just expired): fail open and run the request.
      return new Proceed(Optional.empty(), bodyHash);
    }
    JsonNode stored = json.readTree(existing.get());
    if (!bodyHash.equals(stored.path("body_hash").asString())) {
      throw new ApiException(
          ErrorCode.IDEMPOTENCY_KEY_CONFLICT,
          "This Idempotency-Key was already used with a different request body.");
    }
    if ("in_progress".equals(stored.path("state").asString())) {
      throw new ApiException(
          ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
          "A request with this Idempotency-Key is still in progress.");
    }
    try {
      return new Replay(stored.path("status").asInt(), aes.decrypt(stored.path("body").asString()));
    } catch (AesGcm.DecryptionFailedException e) {
      // Written under another key (a rotation): run the request again rather than fail it.
      redis.tryWith("idempotency", r -> r.del(key));
      return new Proceed(Optional.empty(), bodyHash);
    }
  }

  public void complete(Proceed started, int status, String responseBody) {
    if (started.redisKey().isEmpty()) {
      return;
    }
    if (status >= 500) {
      abandon(started);
      return;
    }
    ObjectNode done =
        json.createObjectNode()
            .put("state", "done")
            .put("body_hash", started.bodyHash())
            .put("status", status)
            .put("body", aes.encrypt(responseBody));
    redis.tryWith(
        "idempotency",
        r ->
            r.set(started.redisKey().get(), done.toString(), SetArgs.Builder.ex(KEEP.toSeconds())));
  }

  public void abandon(Proceed started) {
    started.redisKey().ifPresent(k -> redis.tryWith("idempotency", r -> r.del(k)));
  }
}
