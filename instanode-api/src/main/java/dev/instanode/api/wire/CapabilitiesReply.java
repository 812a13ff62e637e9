package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.Plan;
import java.util.Map;

/**
 * {@code GET /api/v1/capabilities}: plans.yaml as it is, keyed by wire tier name. {@link Plan} is
 * the typed plan already; its fields are named by the mapper's snake_case strategy.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CapabilitiesReply(
    @JsonProperty("ok") boolean ok, @JsonProperty("tiers") Map<String, Plan> tiers) {}
