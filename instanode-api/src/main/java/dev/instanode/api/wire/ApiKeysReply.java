package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/auth/api-keys}: the team's live keys, newest first, never their secrets.
 * {@code prefix} is the key's first characters (absent for keys made before it was kept); {@code
 * created_by} the user who made it (absent for a key made without one).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ApiKeysReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<Item> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Item(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("prefix") Optional<String> prefix,
      @JsonProperty("scopes") List<String> scopes,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("last_used_at") Optional<Instant> lastUsedAt,
      @JsonProperty("expires_at") Optional<Instant> expiresAt,
      @JsonProperty("created_by") Optional<String> createdBy) {}
}
