package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /v2/service_instances/{instance_id}}: the service and plan the instance was made of.
 */
public record BrokerInstanceReply(
    @JsonProperty("service_id") String serviceId, @JsonProperty("plan_id") String planId) {}
