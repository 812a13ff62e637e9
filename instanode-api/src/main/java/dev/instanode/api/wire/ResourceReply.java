package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /api/v1/resources/{token}}: {@code resource} is the older name of {@code item}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ResourceReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("item") ResourceItem item,
    @JsonProperty("resource") ResourceItem resource) {
  public static ResourceReply of(ResourceItem item) {
    return new ResourceReply(true, item, item);
  }
}
