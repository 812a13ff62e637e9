package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/v1/stacks}: {@code next_cursor} is null on the last page. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StackListReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("cluster") String cluster,
    @JsonProperty("items") List<Item> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {
  public StackListReply {
    items = List.copyOf(items);
  }

  /** The status is the one last recorded; {@code GET /stacks/{slug}} reads the live cluster. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Item(
      @JsonProperty("stack_id") StackSlug stackId,
      @JsonProperty("name") String name,
      @JsonProperty("status") String status,
      @JsonProperty("tier") String tier,
      @JsonProperty("namespace") NamespaceName namespace,
      @JsonProperty("env") String env,
      @JsonProperty("created_at") Instant createdAt) {}
}
