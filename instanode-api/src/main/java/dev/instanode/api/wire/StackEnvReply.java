package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.names.StackSlug;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code PATCH /stacks/{slug}/env}: the merged env with every value redacted (they are secrets),
 * and what to call to apply it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StackEnvReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("stack_id") StackSlug stackId,
    @JsonProperty("cluster") String cluster,
    @JsonProperty("env") Map<String, String> env,
    @JsonProperty("keys_set") int keysSet,
    @JsonProperty("keys_deleted") int keysDeleted,
    @JsonProperty("message") String message) {
  public StackEnvReply {
    env = Collections.unmodifiableMap(new TreeMap<>(env));
  }
}
