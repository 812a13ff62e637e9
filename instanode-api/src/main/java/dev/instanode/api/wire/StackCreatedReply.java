package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.names.StackSlug;
import java.util.Optional;

/**
 * {@code POST /stacks/new} and {@code POST /stacks/{slug}/redeploy}: 202, the apply runs after the
 * answer. {@code cluster} is {@code simulated} when no container will run (dev without a cluster).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record StackCreatedReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("stack_id") StackSlug stackId,
    @JsonProperty("status") String status,
    @JsonProperty("tier") String tier,
    @JsonProperty("env") String env,
    @JsonProperty("expires_in") Optional<String> expiresIn,
    @JsonProperty("cluster") String cluster,
    @JsonProperty("note") String note,
    @JsonProperty("claim_url") Optional<String> claimUrl,
    @JsonProperty("upgrade_jwt") Optional<String> upgradeJwt,
    @JsonProperty("upgrade_jwt_warning") Optional<String> upgradeJwtWarning) {}
