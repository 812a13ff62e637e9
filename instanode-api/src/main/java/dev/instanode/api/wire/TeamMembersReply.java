package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/v1/team/members}: the team's members, longest-standing first. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TeamMembersReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<Member> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {

  /** One member; {@code primary} is the team's contact (always an owner). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Member(
      @JsonProperty("user_id") String userId,
      @JsonProperty("email") String email,
      @JsonProperty("role") String role,
      @JsonProperty("primary") boolean primary,
      @JsonProperty("email_verified") boolean emailVerified,
      @JsonProperty("created_at") Instant createdAt) {}
}
