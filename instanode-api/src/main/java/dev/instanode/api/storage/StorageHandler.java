package dev.instanode.api.storage;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.objects.ObjectStore;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.databind.JsonNode;

/** Object storage over HTTP: presigned requests and usage, for the team or by token. */
public final class StorageHandler {
  /** What a Content-Type header may hold here; anything else is refused rather than signed. */
  private static final String CONTENT_TYPE = "[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+";

  private final Optional<StorageService> service;
  private final Authenticator auth;
  private final JsonBodies bodies;

  /**
   * @param service empty when no bucket is configured: every storage route then answers 503
   */
  public StorageHandler(Optional<StorageService> service, Authenticator auth, JsonBodies bodies) {
    this.service = service;
    this.auth = auth;
    this.bodies = bodies;
  }

  private StorageService service() {
    return service.orElseThrow(() ->
        new ApiException(
            ErrorCode.STORAGE_UNAVAILABLE, "Object storage is off on this instanode."));
  }

  /**
   * {@code POST /storage/{token}/presign} {@code {"key", "method": GET|PUT|DELETE, "expires_in":
   * seconds ≤ 3600, "content_length": bytes (PUT), "content_type": "..." (PUT)}}.
   */
  public void presign(Context ctx) {
    StorageService storage = service();
    JsonNode body = bodies.object(ctx);
    JsonNode key = body.get("key");
    if (key == null || !key.isString()) {
      throw new ApiException(
          ErrorCode.INVALID_OBJECT_KEY,
          "Send the object's key as a string: {\"key\": \"a/b.txt\"}.");
    }
    ObjectStore.Method method = method(body.get("method"));
    Duration lifetime = lifetime(body.get("expires_in"));
    OptionalLong length = contentLength(body.get("content_length"), method);
    Optional<String> contentType = contentType(body.get("content_type"), method);
    ctx.json(
        storage.presign(
            auth.optionalStrict(ctx),
            ctx.pathParam("token"),
            new StorageService.PresignRequest(
                method, key.asString(), lifetime, length, contentType)));
  }

  /** {@code GET /storage/{token}}: what the objects add up to, and the plan's bound. */
  public void usage(Context ctx) {
    ctx.json(service().usage(auth.optionalStrict(ctx), ctx.pathParam("token")));
  }

  private static ObjectStore.Method method(JsonNode raw) {
    if (raw == null || !raw.isString()) {
      throw invalid("Send \"method\": \"GET\", \"PUT\" or \"DELETE\".");
    }
    try {
      return ObjectStore.Method.valueOf(raw.asString().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid("The method must be GET, PUT or DELETE.");
    }
  }

  private static Duration lifetime(JsonNode raw) {
    if (raw == null || raw.isNull()) {
      return StorageService.DEFAULT_LIFETIME;
    }
    if (!raw.isIntegralNumber()
        || raw.asLong() < 1
        || raw.asLong() > StorageService.MAX_LIFETIME.toSeconds()) {
      throw invalid("expires_in must be a whole number of seconds from 1 to 3600.");
    }
    return Duration.ofSeconds(raw.asLong());
  }

  /**
   * Required for a PUT: the size is signed into the URL (a different body is refused by the store)
   * and held against the quota, so an upload can never be larger than what was counted.
   */
  private static OptionalLong contentLength(JsonNode raw, ObjectStore.Method method) {
    if (method != ObjectStore.Method.PUT) {
      if (raw != null && !raw.isNull()) {
        throw invalid("content_length is for a PUT only.");
      }
      return OptionalLong.empty();
    }
    if (raw == null || raw.isNull()) {
      throw invalid("A PUT needs content_length: the exact size of the upload, in bytes.");
    }
    if (!raw.isIntegralNumber()
        || !raw.canConvertToLong()
        || raw.asLong() < 0
        || raw.asLong() > StorageService.MAX_OBJECT_BYTES) {
      throw invalid("content_length must be a whole number of bytes, at most 5 GiB.");
    }
    return OptionalLong.of(raw.asLong());
  }

  private static Optional<String> contentType(JsonNode raw, ObjectStore.Method method) {
    if (raw == null || raw.isNull()) {
      return Optional.empty();
    }
    if (method != ObjectStore.Method.PUT) {
      throw invalid("content_type is for a PUT only.");
    }
    if (!raw.isString() || raw.asString().length() > 255 || !raw.asString().matches(CONTENT_TYPE)) {
      throw invalid("content_type must be a media type such as text/plain.");
    }
    return Optional.of(raw.asString());
  }

  private static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_PRESIGN, message);
  }
}
