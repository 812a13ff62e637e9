package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** What a sender to {@code /webhook/receive/{token}} is answered: 200, and where it was stored. */
public record WebhookReceivedReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("id") long id,
    @JsonProperty("received_at") Instant receivedAt) {}
