package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /api/v1/auth/api-keys}: the key's display name and what it may do ({@code read},
 * {@code write}; both when absent).
 */
public record ApiKeyRequest(
    @JsonProperty("name") Optional<String> name,
    @JsonProperty("scopes") Optional<List<String>> scopes) {}
