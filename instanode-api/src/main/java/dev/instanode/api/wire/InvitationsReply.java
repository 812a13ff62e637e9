package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/teams/{team_id}/invitations}: newest first, each with its {@code status}
 * ({@code pending}, {@code accepted}, {@code revoked}, {@code expired}). Never the token: it went
 * to the invited address only.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InvitationsReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<Invitation> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Invitation(
      @JsonProperty("id") String id,
      @JsonProperty("email") String email,
      @JsonProperty("role") String role,
      @JsonProperty("status") String status,
      @JsonProperty("invited_by") Optional<String> invitedBy,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("expires_at") Instant expiresAt) {}
}
