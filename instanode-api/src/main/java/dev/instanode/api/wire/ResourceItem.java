package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/** One resource as {@code /api/v1/resources} shows it. Never its connection URL. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ResourceItem(
    @JsonProperty("id") String id,
    @JsonProperty("token") String token,
    @JsonProperty("name") String name,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("env") String env,
    @JsonProperty("tier") String tier,
    @JsonProperty("status") String status,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("expires_at") Optional<Instant> expiresAt,
    @JsonProperty("storage_bytes") long storageBytes,
    @JsonProperty("storage_exceeded") boolean storageExceeded) {}
