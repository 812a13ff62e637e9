package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /storage/{token}}: what a storage tenant's objects add up to now, and its plan's bound
 * ({@code -1}: none).
 */
public record StorageUsageReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token") String token,
    @JsonProperty("storage_bytes") long storageBytes,
    @JsonProperty("objects") long objects,
    @JsonProperty("storage_limit_bytes") long storageLimitBytes,
    @JsonProperty("storage_exceeded") boolean storageExceeded) {}
