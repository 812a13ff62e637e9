package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/audit}: the team's trail, newest first. {@code resource} is the token of the
 * resource or the slug of the stack a row is about.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AuditReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<Item> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Item(
      @JsonProperty("id") String id,
      @JsonProperty("kind") String kind,
      @JsonProperty("actor") String actor,
      @JsonProperty("resource_type") Optional<String> resourceType,
      @JsonProperty("resource") Optional<String> resource,
      @JsonProperty("summary") String summary,
      @JsonProperty("metadata") Map<String, Object> metadata,
      @JsonProperty("request_id") Optional<String> requestId,
      @JsonProperty("created_at") Instant createdAt) {}
}
