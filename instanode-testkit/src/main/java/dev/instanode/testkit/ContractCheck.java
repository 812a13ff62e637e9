package dev.instanode.testkit;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Checks an exchange against the api's OpenAPI document ({@code openapi.yaml} on the classpath):
 * the route is documented, its status is listed, the content type is one the status lists, and a
 * JSON body matches the status's schema (an error, the envelope). Every request {@link HttpJson}
 * sends goes through it, so an HTTP test that meets an undocumented route, status or field fails.
 */
public final class ContractCheck {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Optional<ContractCheck> LOADED = load();

  private final JsonNode document;
  private final List<Route> routes = new ArrayList<>();
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final SchemaRegistry registry =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private record Route(String template, Pattern pattern, JsonNode item) {}

  private ContractCheck(JsonNode document) {
    this.document = document;
    document
        .get("paths")
        .properties()
        .forEach(e -> routes.add(new Route(e.getKey(), pattern(e.getKey()), e.getValue())));
  }

  /** The document's check, when the api's document is on the classpath. */
  public static Optional<ContractCheck> loaded() {
    return LOADED;
  }

  private static Optional<ContractCheck> load() {
    try (InputStream in =
        ContractCheck.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new ContractCheck(YAMLMapper.builder().build().readTree(in)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // {name} is one segment; {path}, the receive URL's rest, any number.
  static Pattern pattern(String template) {
    String regex =
        Pattern.quote(template)
            .replace("{path}", "\\E.+\\Q")
            .replaceAll("\\{[a-z_]+\\}", "\\\\E[^/]+\\\\Q");
    return Pattern.compile(regex);
  }

  /** What is wrong with this exchange; empty when it keeps the contract. */
  public List<String> violations(String method, String path, HttpResponse<String> response) {
    List<String> found = new ArrayList<>();
    String status = Integer.toString(response.statusCode());
    String where = method + " " + path + " → " + status;
    Optional<Route> route =
        routes.stream().filter(r -> r.pattern().matcher(path).matches()).findFirst();
    JsonNode operation = route.map(r -> r.item().get(method.toLowerCase(Locale.ROOT))).orElse(null);
    JsonNode answer;
    if (operation == null) {
      // No such route or no such method on it: only the envelope's 404 or 405 may answer.
      if (!status.equals("404") && !status.equals("405")) {
        found.add(where + ": the route is not in openapi.yaml");
        return found;
      }
      answer = resolve(document.at("/components/responses/Error"));
    } else {
      answer = operation.path("responses").get(status);
      if (answer == null) {
        found.add(where + ": status not listed for " + route.get().template() + " in openapi.yaml");
        return found;
      }
      answer = resolve(answer);
    }
    String body = response.body();
    if (body == null || body.isEmpty() || method.equals("HEAD")) {
      return found;
    }
    String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    JsonNode content = answer.path("content");
    if (!content.has(type)) {
      found.add(where + ": content type " + type + " not listed (" + content.propertyNames() + ")");
      return found;
    }
    if (!type.equals("application/json")) {
      return found;
    }
    JsonNode schema = content.path(type).path("schema");
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JacksonException e) {
      found.add(where + ": the body is not JSON");
      return found;
    }
    for (Error error : schema(schema).validate(node)) {
      found.add(where + ": " + error.getInstanceLocation() + " " + error.getMessage());
    }
    // An envelope's error code answers with the status the document gives it, and no other (the
    // Open Service Broker API's bodies carry the spec's codes instead).
    boolean envelope = schema.path("$ref").asString("").endsWith("/ErrorEnvelope");
    if (response.statusCode() >= 400 && envelope && node.path("error").isString()) {
      JsonNode listed = document.path("x-error-codes").path(node.get("error").asString());
      boolean matches =
          listed.isArray()
              ? StreamSupport.stream(listed.spliterator(), false)
                  .anyMatch(s -> s.asInt() == response.statusCode())
              : listed.asInt() == response.statusCode();
      if (!matches) {
        found.add(where + ": error " + node.get("error").asString() + " is listed as " + listed);
      }
    }
    return found;
  }

  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : resolve(document.at(ref.asString().substring(1)));
  }

  /** The schema with the document's components beside it, so its $refs resolve. */
  private Schema schema(JsonNode schema) {
    return schemas.computeIfAbsent(
        schema.toString(),
        key -> {
          ObjectNode root = JSON.createObjectNode();
          root.putArray("allOf").add(schema);
          root.set("components", document.get("components"));
          return registry.getSchema(root);
        });
  }
}
