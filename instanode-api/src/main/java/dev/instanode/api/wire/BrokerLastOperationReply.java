package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /v2/service_instances/{id}/last_operation}: {@code state} is {@code in progress},
 * {@code succeeded} or {@code failed}, as the Open Service Broker API spells them.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record BrokerLastOperationReply(
    @JsonProperty("state") String state, @JsonProperty("description") String description) {}
