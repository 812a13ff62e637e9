package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code POST /api/me/claim}: the claimed resource's fields, then {@code ok}, as older clients got
 * it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LegacyClaimReply(
    @JsonProperty("id") String id,
    @JsonProperty("token") String token,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("name") String name,
    @JsonProperty("tier") String tier,
    @JsonProperty("status") String status,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("expires_at") Optional<Instant> expiresAt,
    @JsonProperty("ok") boolean ok) {
  public static LegacyClaimReply of(LegacyResource r) {
    return new LegacyClaimReply(
        r.id(),
        r.token(),
        r.resourceType(),
        r.name(),
        r.tier(),
        r.status(),
        r.createdAt(),
        r.expiresAt(),
        true);
  }
}
