package dev.instanode.api.mcp;

import dev.instanode.api.auth.Access;
import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.stacks.StackCreation;
import dev.instanode.api.stacks.StackService;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.Masking;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP tools: each a thin adapter that reads its arguments, authenticates as the HTTP routes do
 * (an optional bearer API key; a role below the tool's {@link Access} is refused), calls the same
 * service a route calls, and answers the route's JSON. An {@link ApiException} is a tool error
 * ({@code isError}) whose text carries {@code error}, {@code message} and {@code agent_action}.
 */
public final class McpTools {
  private static final Logger LOG = LoggerFactory.getLogger(McpTools.class);

  /** Transport context keys the endpoint fills from the HTTP request. */
  static final String AUTHORIZATION = "authorization";

  static final String FINGERPRINT = "fingerprint";

  private final Authenticator auth;
  private final ProvisionService provisioning;
  private final ResourceService resources;
  private final StackCreation stackCreation;
  private final StackService stacks;
  private final JsonMapper json;
  private final String publicBaseUrl;
  private final MeterRegistry meters;

  public McpTools(
      Authenticator auth,
      ProvisionService provisioning,
      ResourceService resources,
      StackCreation stackCreation,
      StackService stacks,
      JsonMapper json,
      String publicBaseUrl,
      MeterRegistry meters) {
    this.auth = auth;
    this.provisioning = provisioning;
    this.resources = resources;
    this.stackCreation = stackCreation;
    this.stacks = stacks;
    this.json = json;
    this.publicBaseUrl = publicBaseUrl;
    this.meters = meters;
  }

  /** What a tool does with its caller and arguments: the reply, as the route writes it. */
  @FunctionalInterface
  private interface Act {
    Object run(Caller caller, JsonNode args, RequestId requestId);
  }

  private record Tool(
      String name, String description, Map<String, Object> schema, Access access, Act act) {}

  public List<SyncToolSpecification> all() {
    List<Tool> tools = new ArrayList<>();
    for (var kind :
        List.of(
            new Object[] {"create_postgres", ResourceType.POSTGRES, "a Postgres database"},
            new Object[] {"create_cache", ResourceType.REDIS, "a Redis cache"},
            new Object[] {"create_webhook", ResourceType.WEBHOOK, "a webhook receiver"},
            new Object[] {"create_storage", ResourceType.STORAGE, "an object storage prefix"},
            new Object[] {"create_queue", ResourceType.QUEUE, "a NATS queue"})) {
      ResourceType type = (ResourceType) kind[1];
      tools.add(
          new Tool(
              (String) kind[0],
              "Provision "
                  + kind[2]
                  + ". Without an API key it is anonymous: it lives 24 hours, and its"
                  + " upgrade_jwt claims it. Answers what POST of its /new route answers.",
              schema(
                  Map.of(
                      "name", string("1-64 letters, digits, spaces, '_' or '-'"),
                      "env", string("lower-case env label, e.g. development"),
                      "upgrade_jwt", string("earlier upgrade_jwts, comma-separated"),
                      "idempotency_key",
                          string("a UUID; a retry with the same key answers the same resource")),
                  List.of("name")),
              Access.BUILD,
              (caller, args, id) -> provision(type, caller, args, id)));
    }
    tools.add(
        new Tool(
            "list_resources",
            "The team's resources (needs an API key).",
            schema(Map.of("env", string("only this env")), List.of()),
            Access.READ,
            (caller, args, id) ->
                resources.list(
                    member(caller).teamId(),
                    text(args, "env"),
                    Optional.empty(),
                    Optional.empty())));
    tools.add(
        tokenTool(
            "get_resource",
            "One of the team's resources.",
            Access.READ,
            (caller, token, id) -> resources.get(member(caller).teamId(), token)));
    tools.add(
        tokenTool(
            "delete_resource",
            "Delete one of the team's resources and its data (paid plans).",
            Access.BUILD,
            (caller, token, id) -> resources.delete(member(caller).teamId(), token, id)));
    tools.add(
        tokenTool(
            "rotate_credentials",
            "Give a resource a new password; the old one stops working at once.",
            Access.BUILD,
            (caller, token, id) -> resources.rotate(member(caller).teamId(), token, id)));
    tools.add(
        new Tool(
            "claim_url",
            "The link a person opens to keep anonymous resources: give them this URL.",
            schema(
                Map.of("upgrade_jwt", string("the upgrade_jwt of a provision")),
                List.of("upgrade_jwt")),
            Access.READ,
            (caller, args, id) ->
                Map.of(
                    "ok",
                    true,
                    "claim_url",
                    publicBaseUrl
                        + "/claim/preview?t="
                        + text(args, "upgrade_jwt")
                            .orElseThrow(() ->
                                new ApiException(
                                    ErrorCode.INVALID_TOKEN, "upgrade_jwt is required.")))));
    tools.add(
        new Tool(
            "create_stack",
            "Deploy a multi-service app in its own namespace. manifest: {services: {name: {image,"
                + " port, expose, env, needs}}}.",
            schema(
                Map.of(
                    "name", string("the stack's name"),
                    "env", string("lower-case env label"),
                    "manifest",
                        Map.of("type", "object", "description", "the instant.yaml, as JSON"),
                    "upgrade_jwt", string("earlier upgrade_jwts, comma-separated")),
                List.of("name", "manifest")),
            Access.BUILD,
            (caller, args, id) ->
                stackCreation.create(
                    new StackCreation.Create(
                        caller,
                        text(args, "name"),
                        text(args, "env"),
                        args.has("manifest")
                            ? new StackCreation.Manifest.Json(args.get("manifest"))
                            : new StackCreation.Manifest.Missing(),
                        text(args, "upgrade_jwt"),
                        id))));
    tools.add(
        slugTool(
            "get_stack",
            "A stack and the live status of its services.",
            Access.READ,
            (caller, args, id) -> stacks.get(caller, slug(args))));
    tools.add(
        new Tool(
            "set_stack_env",
            "Merge into a stack's env: a value sets its key, an empty one deletes it; redeploy to"
                + " apply.",
            schema(
                Map.of(
                    "slug", string("the stack_id"),
                    "env",
                        Map.of("type", "object", "additionalProperties", Map.of("type", "string")),
                    "upgrade_jwt", string("an anonymous stack's upgrade_jwt")),
                List.of("slug", "env")),
            Access.BUILD,
            (caller, args, id) ->
                stacks.patchEnv(caller, slug(args), env(args), text(args, "upgrade_jwt"), id)));
    tools.add(
        slugTool(
            "delete_stack",
            "Delete a stack and its namespace.",
            Access.BUILD,
            (caller, args, id) ->
                stacks.delete(caller, slug(args), text(args, "upgrade_jwt"), id)));
    return tools.stream().map(this::specification).toList();
  }

  private Object provision(ResourceType type, Caller caller, JsonNode args, RequestId id) {
    provisioning.requireEnabled(type);
    ObjectNode body = json.createObjectNode();
    text(args, "name").ifPresent(n -> body.put("name", n));
    text(args, "env").ifPresent(e -> body.put("env", e));
    ProvisionService.Reply reply =
        provisioning.provision(
            new ProvisionService.Request(
                type,
                caller,
                json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8),
                "application/json",
                Optional.empty(),
                Optional.empty(),
                text(args, "idempotency_key"),
                text(args, "upgrade_jwt"),
                Optional.empty(),
                id));
    return json.readTree(reply.json());
  }

  private SyncToolSpecification specification(Tool tool) {
    McpSchema.Tool described =
        McpSchema.Tool.builder(tool.name(), tool.schema()).description(tool.description()).build();
    return new SyncToolSpecification(
        described,
        (context, request) -> {
          RequestId id = RequestId.random();
          try {
            if (!(context.get(FINGERPRINT) instanceof Fingerprint)) {
              throw new ApiException(
                  ErrorCode.INVALID_FORWARDED_FOR,
                  "The proxy in front of instanode forwarded no usable client address.");
            }
            Caller caller =
                auth.resolve(
                    Optional.ofNullable((String) context.get(AUTHORIZATION)),
                    (Fingerprint) context.get(FINGERPRINT),
                    tool.access() != Access.READ);
            if (caller instanceof Caller.Member m && !tool.access().allows(m.role())) {
              throw new ApiException(
                  ErrorCode.FORBIDDEN_ROLE,
                  "Your role in this team is " + m.role().wireName() + "; this tool needs more.");
            }
            JsonNode args =
                json.valueToTree(request.arguments() == null ? Map.of() : request.arguments());
            Object reply = tool.act().run(caller, args, id);
            count(tool, "ok");
            return McpSchema.CallToolResult.builder()
                .addTextContent(json.writeValueAsString(reply))
                .isError(false)
                .build();
          } catch (ApiException e) {
            return failed(tool, e, id);
          } catch (RuntimeException e) {
            // As the routes answer it: never the exception's own text, which can name hosts.
            LOG.error(
                "mcp.unexpected_error tool={} request_id={} error={}",
                tool.name(),
                id.value(),
                Masking.scrubUrls(e.toString()));
            return failed(
                tool,
                new ApiException(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side."),
                id);
          }
        });
  }

  /** The envelope the routes answer, as the tool error's text. */
  private McpSchema.CallToolResult failed(Tool tool, ApiException e, RequestId id) {
    count(tool, e.code().code());
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("ok", false);
    error.put("error", e.code().code());
    error.put("message", e.getMessage());
    error.put("request_id", id.value());
    error.put("agent_action", e.code().agentAction());
    error.put(
        "retry_after_seconds",
        e.retryAfterSeconds().isPresent() ? e.retryAfterSeconds().getAsInt() : null);
    e.upgradeUrl().ifPresent(u -> error.put("upgrade_url", u));
    return McpSchema.CallToolResult.builder()
        .addTextContent(json.writeValueAsString(error))
        .isError(true)
        .build();
  }

  /** {@code instant_mcp_tool_calls_total{tool,outcome}}: outcome is ok or the error code. */
  private void count(Tool tool, String outcome) {
    meters
        .counter("instant_mcp_tool_calls_total", "tool", tool.name(), "outcome", outcome)
        .increment();
  }

  private Tool tokenTool(String name, String description, Access access, TokenAct act) {
    return new Tool(
        name,
        description,
        schema(Map.of("token", string("the resource's token")), List.of("token")),
        access,
        (caller, args, id) -> act.run(caller, token(args), id));
  }

  @FunctionalInterface
  private interface TokenAct {
    Object run(Caller caller, ResourceToken token, RequestId requestId);
  }

  private Tool slugTool(String name, String description, Access access, Act act) {
    return new Tool(
        name,
        description,
        schema(
            Map.of(
                "slug", string("the stack_id"),
                "upgrade_jwt", string("an anonymous stack's upgrade_jwt")),
            List.of("slug")),
        access,
        act);
  }

  private static Caller.Member member(Caller caller) {
    if (caller instanceof Caller.Member m) {
      return m;
    }
    throw new ApiException(
        ErrorCode.UNAUTHORIZED, "This tool needs an API key: Authorization: Bearer <key>.");
  }

  private static ResourceToken token(JsonNode args) {
    return text(args, "token")
        .flatMap(ResourceToken::parse)
        .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No such resource."));
  }

  private static String slug(JsonNode args) {
    return text(args, "slug").orElse("");
  }

  private static Map<String, String> env(JsonNode args) {
    JsonNode env = args.get("env");
    if (env == null || !env.isObject()) {
      throw new ApiException(ErrorCode.INVALID_BODY, "env must be an object of strings.");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : env.properties()) {
      if (!e.getValue().isString()) {
        throw new ApiException(ErrorCode.INVALID_BODY, "env values are strings.");
      }
      out.put(e.getKey(), e.getValue().asString());
    }
    return out;
  }

  private static Optional<String> text(JsonNode args, String field) {
    JsonNode node = args.get(field);
    return node != null && node.isString() ? Optional.of(node.asString()) : Optional.empty();
  }

  private static Map<String, Object> string(String description) {
    return Map.of("type", "string", "description", description);
  }

  private static Map<String, Object> schema(Map<String, Object> properties, List<String> required) {
    return Map.of("type", "object", "properties", properties, "required", required);
  }
}
