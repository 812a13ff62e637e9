package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/v1/vault/{env}}: the env's keys with their newest version, never a value. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VaultListReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("env") String env,
    @JsonProperty("items") List<Item> items) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Item(
      @JsonProperty("key") String key,
      @JsonProperty("version") int version,
      @JsonProperty("versions") int versions,
      @JsonProperty("updated_at") Instant updatedAt) {}
}
