package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A new session: {@code POST /auth/email/verify}, and {@code POST
 * /api/v1/invitations/{token}/accept}. Send {@code session_token} as {@code Authorization: Bearer};
 * it lasts until {@code expires_at} or {@code POST /auth/logout}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SessionReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("session_token") String sessionToken,
    @JsonProperty("expires_at") Instant expiresAt,
    @JsonProperty("user_id") String userId,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("email") String email,
    @JsonProperty("role") String role) {}
