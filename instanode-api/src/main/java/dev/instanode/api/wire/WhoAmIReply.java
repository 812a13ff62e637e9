package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/whoami}: the caller, its team and plan, its role in the team (absent for a key
 * made without a user), what it may do, and how it signed in ({@code session} or {@code api_key},
 * with the key's id).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WhoAmIReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("user_id") Optional<String> userId,
    @JsonProperty("email") Optional<String> email,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("team_name") String teamName,
    @JsonProperty("tier") String tier,
    @JsonProperty("role") Optional<String> role,
    @JsonProperty("scopes") List<String> scopes,
    @JsonProperty("auth_method") String authMethod,
    @JsonProperty("api_key_id") Optional<String> apiKeyId) {}
