package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /api/v1/webhooks/{token}/requests}: newest first; {@code next_cursor} reads on. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WebhookRequestsReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("items") List<Item> items,
    @JsonProperty("next_cursor") Optional<String> nextCursor) {

  /**
   * One stored request. {@code body} is its text when it is UTF-8, else null; {@code body_base64}
   * is always its exact bytes.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Item(
      @JsonProperty("id") long id,
      @JsonProperty("received_at") Instant receivedAt,
      @JsonProperty("method") String method,
      @JsonProperty("path") String path,
      @JsonProperty("query") Optional<String> query,
      @JsonProperty("headers") Map<String, List<String>> headers,
      @JsonProperty("body") Optional<String> body,
      @JsonProperty("body_base64") String bodyBase64,
      @JsonProperty("body_size") int bodySize,
      @JsonProperty("source") String source) {}
}
