package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code PATCH /api/v1/team/members/{user_id}}: the member's role now, and before. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MemberChangedReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("user_id") String userId,
    @JsonProperty("role") String role,
    @JsonProperty("previous_role") String previousRole) {}
