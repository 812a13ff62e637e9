package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** {@code GET /api/me/token}: {@code expires_in} is an integer number of seconds. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LegacyTokenReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token") String token,
    @JsonProperty("expires_in") long expiresIn,
    @JsonProperty("expires_at") Instant expiresAt) {}
