package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /storage/{token}/presign}: one request the holder may make straight to the bucket
 * until {@code expires_at}. {@code headers} must be sent exactly as given (they are signed).
 */
public record PresignReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("method") String method,
    @JsonProperty("url") String url,
    @JsonProperty("key") String key,
    @JsonProperty("headers") Map<String, List<String>> headers,
    @JsonProperty("expires_at") Instant expiresAt) {}
