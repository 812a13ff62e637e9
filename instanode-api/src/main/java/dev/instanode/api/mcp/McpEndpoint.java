package dev.instanode.api.mcp;

import dev.instanode.api.auth.ClientAddress;
import dev.instanode.core.ApiException;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in MCP server: Streamable HTTP at {@code /mcp}, stateless (the MCP Java SDK's servlet
 * transport, mounted beside the api's routes), the {@link McpTools}, and the OpenAPI document and
 * agent guide as resources. The caller's {@code Authorization} header and network travel to each
 * tool call in the transport context.
 */
public final class McpEndpoint implements AutoCloseable {
  public static final String PATH = "/mcp";

  private final HttpServletStatelessServerTransport transport;
  private final McpStatelessSyncServer server;

  public McpEndpoint(
      McpTools tools, ClientAddress addresses, String version, String openApiJson, String guide) {
    // The protocol's own JSON, with the SDK's names: not the api's snake_case mapper.
    JacksonMcpJsonMapper protocol = new JacksonMcpJsonMapper(JsonMapper.builder().build());
    this.transport =
        // Stateless: the tools keep nothing between calls, so no session is held for anyone (an
        // anonymous caller could otherwise open sessions without end).
        HttpServletStatelessServerTransport.builder()
            .jsonMapper(protocol)
            .messageEndpoint(PATH)
            // The routes' body bound: the MCP servlet is not behind Javalin's.
            .maxRequestSize(1024 * 1024)
            .contextExtractor(request ->
                McpTransportContext.create(
                    Map.of(
                        McpTools.AUTHORIZATION,
                        Optional.ofNullable(request.getHeader("Authorization")).orElse(""),
                        McpTools.FINGERPRINT,
                        fingerprint(addresses, request))))
            .build();
    this.server =
        McpServer.sync(transport)
            .jsonMapper(protocol)
            .serverInfo("instanode", version)
            // The services check arguments and answer their own codes and agent_action.
            .validateToolInputs(false)
            .instructions(
                "Provision real infrastructure with one call: create_postgres, create_cache and the"
                    + " other create_ tools answer a connection URL at once. Without an API key"
                    + " resources are anonymous and live 24 hours; give the person claim_url to"
                    + " keep them. The resource instanode://llms.txt explains more.")
            .capabilities(
                McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
            .tools(tools.all())
            .resources(
                List.of(
                    resource(
                        "instanode://openapi.json", "openapi", "application/json", openApiJson),
                    resource("instanode://llms.txt", "llms.txt", "text/plain", guide)))
            .build();
  }

  /** The caller's network; a forwarded chain without one is refused at the tool, not here. */
  private static Object fingerprint(ClientAddress addresses, HttpServletRequest request) {
    try {
      return addresses.fingerprint(request);
    } catch (ApiException e) {
      return "unusable";
    }
  }

  private static SyncResourceSpecification resource(
      String uri, String name, String mimeType, String text) {
    return new SyncResourceSpecification(
        McpSchema.Resource.builder(uri, name).mimeType(mimeType).build(),
        (context, request) ->
            new McpSchema.ReadResourceResult(
                List.of(new McpSchema.TextResourceContents(uri, mimeType, text, Map.of())),
                Map.of()));
  }

  /** The servlet to mount at {@link #PATH}. */
  public HttpServlet servlet() {
    return transport;
  }

  @Override
  public void close() {
    server.closeGracefully();
  }
}
