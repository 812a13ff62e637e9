package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /internal/teams/{id}/plan}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PlanChangeReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("team_id") String teamId,
    @JsonProperty("previous_tier") String previousTier,
    @JsonProperty("tier") String tier,
    @JsonProperty("resources_elevated") int resourcesElevated) {}
