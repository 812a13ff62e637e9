package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code PUT /api/v1/vault/{env}/{key}} (no {@code value}) and {@code GET} of one (with it): a
 * version of a secret.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record VaultEntryReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("env") String env,
    @JsonProperty("key") String key,
    @JsonProperty("version") int version,
    @JsonProperty("value") Optional<String> value,
    @JsonProperty("created_at") Instant createdAt) {}
