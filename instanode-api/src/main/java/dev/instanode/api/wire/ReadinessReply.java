package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /readyz}: {@code overall} is ok, degraded or failed. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ReadinessReply(
    @JsonProperty("overall") String overall, @JsonProperty("checks") List<Check> checks) {
  public ReadinessReply {
    checks = List.copyOf(checks);
  }

  /** {@code code} is {@code ok}, or why the check failed: timeout, unreachable, busy or error. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Check(
      @JsonProperty("name") String name,
      @JsonProperty("critical") boolean critical,
      @JsonProperty("status") String status,
      @JsonProperty("code") String code) {}
}
