package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/** A resource as older clients read it: {@code GET /api/me/resources} and the claim preview. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LegacyResource(
    @JsonProperty("id") String id,
    @JsonProperty("token") String token,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("name") String name,
    @JsonProperty("tier") String tier,
    @JsonProperty("status") String status,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("expires_at") Optional<Instant> expiresAt) {}
