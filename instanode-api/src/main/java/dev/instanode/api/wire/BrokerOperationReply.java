package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The Open Service Broker API's answer to a provision or deprovision: {@code {}} when it is done,
 * {@code operation} while it runs (202), for {@code last_operation} to be asked about.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record BrokerOperationReply(@JsonProperty("operation") String operation) {
  public static final BrokerOperationReply DONE = new BrokerOperationReply(null);
}
