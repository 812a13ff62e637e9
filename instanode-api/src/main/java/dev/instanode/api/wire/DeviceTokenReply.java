package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /auth/cli/token} once approved: an API key of the approving user for this device,
 * shown once; revoke it with {@code DELETE /api/v1/auth/api-keys/{key_id}}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeviceTokenReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("api_key") String apiKey,
    @JsonProperty("key_id") String keyId,
    @JsonProperty("prefix") String prefix,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("user_id") String userId) {}
