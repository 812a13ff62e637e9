package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The 201 body of {@code POST /claim}. The {@code api_key} is shown once. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ClaimReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("session_token") String sessionToken,
    @JsonProperty("api_key") String apiKey,
    @JsonProperty("message") String message) {}
