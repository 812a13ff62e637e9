package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** {@code GET /claim/preview}: {@code resources} is the older name of {@code items}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ClaimPreviewReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token_valid") boolean tokenValid,
    @JsonProperty("items") List<LegacyResource> items,
    @JsonProperty("resources") List<LegacyResource> resources,
    @JsonProperty("expires_at") Instant expiresAt) {
  public ClaimPreviewReply {
    items = List.copyOf(items);
    resources = List.copyOf(resources);
  }

  public static ClaimPreviewReply of(List<LegacyResource> items, Instant expiresAt) {
    return new ClaimPreviewReply(true, true, items, items, expiresAt);
  }
}
