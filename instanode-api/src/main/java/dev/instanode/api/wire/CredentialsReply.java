package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /api/v1/resources/{token}/credentials}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CredentialsReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token") String token,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("connection_url") String connectionUrl) {}
