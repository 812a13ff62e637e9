package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /api/v1/resources/{token}/rotate-credentials}: the new URL, the only one that works.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RotateReply(
    @JsonProperty("ok") boolean ok, @JsonProperty("connection_url") String connectionUrl) {}
