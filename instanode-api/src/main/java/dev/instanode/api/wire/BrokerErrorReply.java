package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An Open Service Broker API error, as the spec shapes it (platforms read these, not the API's
 * envelope): {@code error} is one of the spec's codes when one applies ({@code AsyncRequired},
 * {@code ConcurrencyError}, ...), {@code description} says what happened and what to do.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record BrokerErrorReply(
    @JsonProperty("error") String error, @JsonProperty("description") String description) {}
