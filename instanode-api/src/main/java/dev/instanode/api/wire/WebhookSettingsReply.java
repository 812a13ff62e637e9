package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code PATCH /api/v1/webhooks/{token}}: the receiver's settings as they now are. */
public record WebhookSettingsReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("token") String token,
    @JsonProperty("store_secret_headers") boolean storeSecretHeaders,
    @JsonProperty("signed") boolean signed) {}
