package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/v1/resources}: {@code next_cursor} is null on the last page. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ResourceListReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<ResourceItem> items,
    @JsonProperty("total") long total,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {
  public ResourceListReply {
    items = List.copyOf(items);
  }
}
