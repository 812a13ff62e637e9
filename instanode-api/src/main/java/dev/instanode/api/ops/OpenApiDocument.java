package dev.instanode.api.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code openapi.yaml}, the contract every HTTP test checks its answers against, as JSON. */
public final class OpenApiDocument {
  private OpenApiDocument() {}

  /**
   * Read once at start (the document is part of the build), its {@code servers} this api's public
   * URL, so a generated client or an agent calls this api, not the dev default.
   */
  public static String json(JsonNode tree, String publicBaseUrl) {
    ObjectNode document = ((ObjectNode) tree).deepCopy();
    ArrayNode servers = document.putArray("servers");
    servers.addObject().put("url", publicBaseUrl);
    return JsonMapper.builder().build().writeValueAsString(document);
  }

  public static JsonNode tree() {
    try (InputStream in =
        OpenApiDocument.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the classpath");
      }
      return YAMLMapper.builder().build().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
