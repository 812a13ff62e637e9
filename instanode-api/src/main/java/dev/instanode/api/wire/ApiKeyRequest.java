package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/** {@code POST /api/v1/auth/api-keys}: the key's display name. */
public record ApiKeyRequest(@JsonProperty("name") Optional<String> name) {}
