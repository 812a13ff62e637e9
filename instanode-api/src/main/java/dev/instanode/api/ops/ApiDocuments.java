package dev.instanode.api.ops;

import dev.instanode.core.Plans;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * What the api says about itself, written once at start from {@code openapi.yaml} (read once): the
 * document as served, and the agent guides. Served by the routes and by the MCP endpoint.
 */
public record ApiDocuments(String openApi, String llms, String llmsFull) {
  public static ApiDocuments of(Plans plans, String publicBaseUrl, Duration anonymousTtl) {
    JsonNode document = OpenApiDocument.tree();
    return new ApiDocuments(
        OpenApiDocument.json(document, publicBaseUrl),
        AgentGuide.brief(document, plans, publicBaseUrl, anonymousTtl),
        AgentGuide.full(document, plans, publicBaseUrl, anonymousTtl));
  }
}
