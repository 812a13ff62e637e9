package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /auth/email/start} (202): the same whether or not the address has an account. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SignInStartedReply(
    @JsonProperty("ok") boolean ok, @JsonProperty("message") String message) {}
