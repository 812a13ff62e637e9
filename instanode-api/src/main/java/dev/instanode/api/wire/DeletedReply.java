package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code DELETE /api/v1/resources/{token}}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeletedReply(
    @JsonProperty("ok") boolean ok, @JsonProperty("message") String message) {}
