package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /livez}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LivenessReply(@JsonProperty("alive") boolean alive) {}
