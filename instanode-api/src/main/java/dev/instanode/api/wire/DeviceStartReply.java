package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /auth/cli} (201): show {@code user_code} and {@code verification_url} to the person,
 * then poll {@code POST /auth/cli/token} with {@code device_code} every {@code interval} seconds.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeviceStartReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("device_code") String deviceCode,
    @JsonProperty("user_code") String userCode,
    @JsonProperty("verification_url") String verificationUrl,
    @JsonProperty("verification_url_complete") String verificationUrlComplete,
    @JsonProperty("interval") int interval,
    @JsonProperty("expires_in") long expiresIn) {}
