package dev.instanode.core.stack;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceToken;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A stack's manifest ({@code instant.yaml}, or the same as JSON), parsed and checked once:
 *
 * <pre>
 * services:
 *   web: {image: nginx:1.27, port: 8080, expose: true, needs: [token], env: {KEY: value}}
 * </pre>
 *
 * Every error names the offending field's path. {@code service://x} in an env value becomes {@code
 * http://x:<port of x>}.
 */
public record StackManifest(List<Service> services) {
  public static final int DEFAULT_PORT = 8080;
  public static final int MAX_SERVICES = 20;

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,38}[a-z0-9])?");
  private static final Pattern SERVICE_REF = Pattern.compile("service://([a-z0-9-]+)");
  private static final Set<String> FIELDS =
      Set.of("image", "port", "expose", "needs", "env", "build");

  /**
   * @param needs resources whose URLs the service gets in its env
   * @param env as written, with {@code service://} references resolved
   */
  public record Service(
      String name,
      String image,
      int port,
      boolean expose,
      List<ResourceToken> needs,
      Map<String, String> env) {
    public Service {
      requireNonNull(name, "name is null");
      requireNonNull(image, "image is null");
      needs = List.copyOf(needs);
      env = Map.copyOf(env);
    }
  }

  public StackManifest {
    services = List.copyOf(services);
  }

  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Parses YAML or JSON text. */
  public static StackManifest parse(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text == null ? "" : text);
    } catch (JacksonException e) {
      throw invalid("manifest", "not valid YAML or JSON");
    }
    return of(root);
  }

  /** Checks an already parsed document (a JSON request body). */
  public static StackManifest of(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw invalid("manifest", "must be a mapping with a services key");
    }
    JsonNode services = root.get("services");
    if (services == null || !services.isObject() || services.isEmpty()) {
      throw invalid("services", "must map at least one service name to its settings");
    }
    if (services.size() > MAX_SERVICES) {
      throw invalid("services", "at most " + MAX_SERVICES + " services");
    }
    List<Service> raw = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : services.properties()) {
      raw.add(service(entry.getKey(), entry.getValue()));
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    raw.forEach(s -> ports.put(s.name(), s.port()));
    List<Service> resolved = new ArrayList<>();
    for (Service s : raw) {
      Map<String, String> env = new LinkedHashMap<>();
      s.env()
          .forEach((k, v) -> env.put(k, resolve(v, ports, "services." + s.name() + ".env." + k)));
      resolved.add(new Service(s.name(), s.image(), s.port(), s.expose(), s.needs(), env));
    }
    return new StackManifest(resolved);
  }

  private static Service service(String name, JsonNode node) {
    String path = "services." + name;
    if (!SERVICE_NAME.matcher(name).matches()) {
      throw invalid(path, "a service name is lower-case letters, digits and '-', at most 40");
    }
    if (node == null || !node.isObject()) {
      throw invalid(path, "must be a mapping");
    }
    for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw invalid(path + "." + field, "unknown field");
      }
    }
    if (node.has("build")) {
      throw new ManifestException(
          ManifestException.Code.BUILD_NOT_SUPPORTED,
          path + ".build",
          "building from source is not supported yet");
    }
    JsonNode image = node.get("image");
    if (image == null || !image.isString() || image.asString().isBlank()) {
      throw invalid(path + ".image", "an image reference is required");
    }
    int port = DEFAULT_PORT;
    if (node.has("port")) {
      JsonNode p = node.get("port");
      if (!p.isIntegralNumber() || p.asLong() < 1 || p.asLong() > 65535) {
        throw invalid(path + ".port", "must be a whole number from 1 to 65535");
      }
      port = p.asInt();
    }
    boolean expose = false;
    if (node.has("expose")) {
      if (!node.get("expose").isBoolean()) {
        throw invalid(path + ".expose", "must be true or false");
      }
      expose = node.get("expose").asBoolean();
    }
    return new Service(
        name, image.asString().strip(), port, expose, needs(path, node), env(path, node));
  }

  private static List<ResourceToken> needs(String path, JsonNode node) {
    List<ResourceToken> needs = new ArrayList<>();
    JsonNode list = node.get("needs");
    if (list == null) {
      return needs;
    }
    if (!list.isArray()) {
      throw invalid(path + ".needs", "must be a list of resource tokens");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String at = path + ".needs[" + i + "]";
      if (!item.isString()) {
        throw invalid(at, "must be a resource token");
      }
      needs.add(
          ResourceToken.parse(item.asString())
              .filter(t -> t.text().equals(item.asString()))
              .orElseThrow(() -> invalid(at, "is not a resource token")));
    }
    return needs;
  }

  private static Map<String, String> env(String path, JsonNode node) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode map = node.get("env");
    if (map == null) {
      return env;
    }
    if (!map.isObject()) {
      throw invalid(path + ".env", "must map variable names to values");
    }
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      String at = path + ".env." + e.getKey();
      if (!EnvMerge.KEY.matcher(e.getKey()).matches()) {
        throw new ManifestException(
            ManifestException.Code.INVALID_ENV_KEY, at, "names are [A-Z_][A-Z0-9_]*");
      }
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw invalid(at, "must be a string, number or boolean");
      }
      env.put(e.getKey(), e.getValue().asString());
    }
    return env;
  }

  private static String resolve(String value, Map<String, Integer> ports, String path) {
    Matcher m = SERVICE_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Integer port = ports.get(m.group(1));
      if (port == null) {
        throw invalid(path, "refers to service " + m.group(1) + ", which the manifest lacks");
      }
      m.appendReplacement(out, Matcher.quoteReplacement("http://" + m.group(1) + ":" + port));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static ManifestException invalid(String path, String problem) {
    return new ManifestException(ManifestException.Code.INVALID_MANIFEST, path, problem);
  }
}
