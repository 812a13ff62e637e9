package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A binding's credentials (Open Service Broker API): {@code uri}, {@code host}, {@code port},
 * {@code username}, {@code password}, and {@code database} (Postgres) or {@code key_prefix}
 * (Redis). Secret: never logged.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BrokerBindingReply(@JsonProperty("credentials") Map<String, Object> credentials) {
  @Override
  public String toString() {
    return "BrokerBindingReply[credentials=***]";
  }
}
