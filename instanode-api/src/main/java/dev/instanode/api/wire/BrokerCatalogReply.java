package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v2/catalog} (Open Service Broker API 2.17): the services and plans on offer. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BrokerCatalogReply(@JsonProperty("services") List<Service> services) {
  /** One kind of resource; its id never changes for the kind. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Service(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("description") String description,
      @JsonProperty("tags") List<String> tags,
      @JsonProperty("bindable") boolean bindable,
      @JsonProperty("instances_retrievable") boolean instancesRetrievable,
      @JsonProperty("bindings_retrievable") boolean bindingsRetrievable,
      @JsonProperty("plan_updateable") boolean planUpdateable,
      @JsonProperty("metadata") ServiceMetadata metadata,
      @JsonProperty("plans") List<Plan> plans) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ServiceMetadata(
      @JsonProperty("displayName") String displayName,
      @JsonProperty("documentationUrl") String documentationUrl) {}

  /** One tier of {@code plans.yaml} for the service; its id never changes for the pair. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Plan(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("description") String description,
      @JsonProperty("free") boolean free,
      @JsonProperty("bindable") boolean bindable,
      @JsonProperty("metadata") PlanMetadata metadata) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record PlanMetadata(
      @JsonProperty("displayName") String displayName,
      @JsonProperty("dedicated") boolean dedicated,
      @JsonProperty("costs") List<Cost> costs) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Cost(@JsonProperty("amount") Amount amount, @JsonProperty("unit") String unit) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Amount(@JsonProperty("usd") double usd) {}
}
