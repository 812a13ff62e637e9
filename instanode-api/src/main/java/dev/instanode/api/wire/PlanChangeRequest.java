package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/** {@code POST /internal/teams/{id}/plan}: the target tier; a non-string reads as absent. */
public record PlanChangeRequest(@JsonProperty("tier") Optional<String> tier) {}
