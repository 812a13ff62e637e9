package dev.instanode.api.ops;

import dev.instanode.core.DurationText;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.Tier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code /llms.txt} and {@code /llms-full.txt}: a guide for AI agents, written once at start from
 * the OpenAPI document (every route and its summary), plans.yaml (the anonymous limits) and {@link
 * ErrorCode} (what each {@code agent_action} says), so it cannot drift from what the api serves.
 */
public final class AgentGuide {
  private AgentGuide() {}

  /** The short guide: what to call first, the limits, claiming, errors, and the routes. */
  public static String brief(JsonNode openApi, Plans plans, String baseUrl, Duration anonymousTtl) {
    StringBuilder out = new StringBuilder();
    intro(out, plans, baseUrl, anonymousTtl);
    out.append("## Routes\n\n");
    routes(openApi)
        .forEach((route, summary) ->
            out.append("- `").append(route).append("`: ").append(summary).append('\n'));
    out.append("\nThe whole contract: ")
        .append(baseUrl)
        .append("/openapi.json. Every error code: ")
        .append(baseUrl)
        .append("/llms-full.txt.\n");
    return out.toString();
  }

  /** The brief, then every error code with its status and its agent_action. */
  public static String full(JsonNode openApi, Plans plans, String baseUrl, Duration anonymousTtl) {
    StringBuilder out = new StringBuilder(brief(openApi, plans, baseUrl, anonymousTtl));
    out.append("\n## Error codes\n\n");
    for (ErrorCode code : ErrorCode.values()) {
      out.append("- `")
          .append(code.code())
          .append("` (")
          .append(code.httpStatus())
          .append("): ")
          .append(code.agentAction())
          .append('\n');
    }
    return out.toString();
  }

  private static void intro(StringBuilder out, Plans plans, String baseUrl, Duration ttl) {
    Plan anonymous = plans.of(Tier.ANONYMOUS);
    out.append("# instanode\n\n")
        .append("> One HTTP call gives you a real, isolated Postgres database, Redis cache, NATS")
        .append(" queue, webhook receiver or object storage prefix, with no account.\n\n")
        .append("Base URL: ")
        .append(baseUrl)
        .append("\n\n## Start\n\n")
        .append("- `POST /db/new {\"name\": \"app\"}` answers 201 with `connection_url` (use it as")
        .append(" is), `token` (the resource's id and credential: keep it) and `upgrade_jwt`.\n")
        .append("- Send earlier `upgrade_jwt`s back in the `X-Instanode-Upgrade` header, so one")
        .append(" claim takes every resource you made.\n")
        .append("- Retrying a create? Send `Idempotency-Key: <a UUID>`; the same key answers the")
        .append(" same resource.\n\n")
        .append("## Anonymous limits\n\n")
        .append("- Resources live ")
        .append(DurationText.format(ttl))
        .append(", then are destroyed with their data.\n")
        .append("- ")
        .append(anonymous.provisionsPerDay())
        .append(" resources a day per network; Postgres ")
        .append(anonymous.postgres().storageMb())
        .append(" MB and ")
        .append(anonymous.postgres().connections())
        .append(" connections; Redis ")
        .append(anonymous.redis().memoryMb())
        .append(" MB.\n\n")
        .append("## Keep them: claim\n\n")
        .append(
            "Give the user the claim link from a reply (`upgrade` when provisioning, `claim_url`")
        .append(" for a stack; or `POST /claim {\"token\":")
        .append(" <upgrade_jwt>, \"email\"}`): it makes a team, moves the resources into it and")
        .append(" answers an `api_key` (send it as `Authorization: Bearer <key>`). A paid plan")
        .append(" keeps them for good: `GET /api/v1/capabilities` lists the plans.\n\n")
        .append("## Errors\n\n")
        .append("Every error is JSON: `{ok: false, error, message, request_id, agent_action,")
        .append(" retry_after_seconds, upgrade_url?}`. `error` is a stable code; `agent_action` is")
        .append(
            " the sentence to relay to your user, or to act on; `retry_after_seconds`, when not")
        .append(" null, is how long to wait before retrying.\n\n");
  }

  /** {@code METHOD /path} → summary, in the document's order of paths. */
  private static Map<String, String> routes(JsonNode openApi) {
    Map<String, String> routes = new LinkedHashMap<>();
    openApi
        .get("paths")
        .properties()
        .forEach(path ->
            path.getValue()
                .properties()
                .forEach(op ->
                    routes.putIfAbsent(
                        op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                        op.getValue().path("summary").asString(""))));
    return routes;
  }
}
