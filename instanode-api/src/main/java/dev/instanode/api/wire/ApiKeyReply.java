package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** The 201 body of {@code POST /api/v1/auth/api-keys}. The {@code key} is shown once. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ApiKeyReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("key") String key,
    @JsonProperty("prefix") String prefix,
    @JsonProperty("scopes") List<String> scopes,
    @JsonProperty("created_at") Instant createdAt) {}
