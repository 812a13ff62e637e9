package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The 202 body of {@code POST /db/new} and friends for a caller that sent {@code Prefer:
 * respond-async} and gets a dedicated server: no URL yet. {@code poll_url} shows the status turn
 * {@code active} (or {@code failed}); {@code credentials_url} answers the URL once it works.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ProvisionAcceptedReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("id") String id,
    @JsonProperty("token") String token,
    @JsonProperty("name") String name,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("status") String status,
    @JsonProperty("tier") String tier,
    @JsonProperty("env") String env,
    @JsonProperty("backend") String backend,
    @JsonProperty("poll_url") String pollUrl,
    @JsonProperty("credentials_url") String credentialsUrl,
    @JsonProperty("message") String message) {}
