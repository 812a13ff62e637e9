package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.instanode.core.names.StackSlug;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code GET /stacks/{slug}}: the status as the live cluster shows it now. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StackReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("stack_id") StackSlug stackId,
    @JsonProperty("name") String name,
    @JsonProperty("status") String status,
    @JsonProperty("tier") String tier,
    @JsonProperty("env") String env,
    @JsonProperty("cluster") String cluster,
    @JsonProperty("services") List<Service> services,
    @JsonProperty("expires_at") Optional<Instant> expiresAt) {
  public StackReply {
    services = List.copyOf(services);
  }

  /**
   * @param reason why it is not running, when it is stuck (ImagePullBackOff, CrashLoopBackOff...)
   * @param url where an exposed service answers
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Service(
      @JsonProperty("name") String name,
      @JsonProperty("status") String status,
      @JsonProperty("reason") Optional<String> reason,
      @JsonProperty("expose") boolean expose,
      @JsonProperty("port") int port,
      @JsonProperty("url") Optional<String> url) {}
}
