package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /auth/logout}: {@code revoked} is true when a session was ended (an API key is
 * revoked with {@code DELETE /api/v1/auth/api-keys/{id}} instead).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LogoutReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("revoked") boolean revoked,
    @JsonProperty("message") String message) {}
