package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * {@code GET /auth/me}: {@code user_id} and {@code email} are null for a key made without a user.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MeReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("user_id") Optional<String> userId,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("email") Optional<String> email,
    @JsonProperty("tier") String tier) {}
