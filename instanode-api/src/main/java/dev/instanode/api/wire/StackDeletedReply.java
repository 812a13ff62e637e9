package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.names.StackSlug;

/** {@code DELETE /stacks/{slug}}: answered once the namespace and then the row are gone. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StackDeletedReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("stack_id") StackSlug stackId,
    @JsonProperty("cluster") String cluster,
    @JsonProperty("message") String message) {}
