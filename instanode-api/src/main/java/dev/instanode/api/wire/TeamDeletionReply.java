package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code DELETE /api/v1/team} (202): the team is {@code deletion_pending}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TeamDeletionReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("status") String status,
    @JsonProperty("message") String message) {}
