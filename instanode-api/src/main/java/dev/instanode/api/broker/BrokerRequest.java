package dev.instanode.api.broker;

import dev.instanode.core.crypto.Sha256;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Service Broker API's request bodies, read and checked, and the digest that tells a
 * repeated request (the same attributes: 200) from a conflicting one (409).
 */
public final class BrokerRequest {
  private BrokerRequest() {}

  /** The service and plan a request names (body fields, or query parameters of a delete). */
  public record Target(String serviceId, String planId) {
    /** From a delete's required {@code service_id} and {@code plan_id} query parameters. */
    public static Target ofQuery(String serviceId, String planId) {
      if (serviceId == null || serviceId.isBlank() || planId == null || planId.isBlank()) {
        throw BrokerException.badRequest("service_id and plan_id query parameters are required.");
      }
      return new Target(serviceId, planId);
    }
  }

  /** A provision's body: its target, parameters, and the platform's org and space. */
  public record Provision(
      String serviceId,
      String planId,
      Map<String, Object> parameters,
      Optional<String> organizationGuid,
      Optional<String> spaceGuid) {
    public static Provision of(JsonNode body, JsonMapper mapper) {
      Target target = readTarget(body);
      return new Provision(
          target.serviceId(),
          target.planId(),
          readParameters(body, mapper),
          text(body, "organization_guid"),
          text(body, "space_guid"));
    }

    /** What makes a second provision of the id the same one. */
    public String digest(JsonMapper mapper) {
      Map<String, Object> identity = new TreeMap<>();
      identity.put("service_id", serviceId);
      identity.put("plan_id", planId);
      identity.put("parameters", parameters);
      organizationGuid.ifPresent(v -> identity.put("organization_guid", v));
      spaceGuid.ifPresent(v -> identity.put("space_guid", v));
      return Sha256.hex(canonical(identity, mapper));
    }
  }

  /** A bind's body: its target and parameters ({@code bind_resource} and context not kept). */
  public record Bind(Target target, Map<String, Object> parameters) {
    public static Bind of(JsonNode body, JsonMapper mapper) {
      return new Bind(readTarget(body), readParameters(body, mapper));
    }

    public String digest(String instanceId, JsonMapper mapper) {
      Map<String, Object> identity = new TreeMap<>();
      identity.put("instance_id", instanceId);
      identity.put("service_id", target.serviceId());
      identity.put("plan_id", target.planId());
      identity.put("parameters", parameters);
      return Sha256.hex(canonical(identity, mapper));
    }
  }

  private static Target readTarget(JsonNode body) {
    Optional<String> service = text(body, "service_id");
    Optional<String> plan = text(body, "plan_id");
    if (service.isEmpty() || plan.isEmpty()) {
      throw BrokerException.badRequest("service_id and plan_id are required strings.");
    }
    return new Target(service.get(), plan.get());
  }

  private static Optional<String> text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isString() || value.asString().isBlank()) {
      throw BrokerException.badRequest(field + " must be a non-empty string.");
    }
    return Optional.of(value.asString());
  }

  private static Map<String, Object> readParameters(JsonNode body, JsonMapper mapper) {
    JsonNode value = body.get("parameters");
    if (value == null || value.isNull()) {
      return Map.of();
    }
    if (!value.isObject()) {
      throw BrokerException.badRequest("parameters must be a JSON object.");
    }
    Map<String, Object> parameters = new LinkedHashMap<>();
    value
        .properties()
        .forEach(e -> parameters.put(e.getKey(), mapper.convertValue(e.getValue(), Object.class)));
    return parameters;
  }

  /** Key order never makes two equal requests differ. */
  private static String canonical(Object value, JsonMapper mapper) {
    return mapper.writeValueAsString(sorted(value));
  }

  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> ordered = new TreeMap<>();
      map.forEach((k, v) -> ordered.put(String.valueOf(k), sorted(v)));
      return ordered;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(BrokerRequest::sorted).toList();
    }
    return value;
  }
}
