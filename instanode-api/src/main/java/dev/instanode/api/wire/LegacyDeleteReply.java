package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code DELETE /api/me/resources/{token}}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LegacyDeleteReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token") String token,
    @JsonProperty("status") String status,
    @JsonProperty("message") String message) {}
