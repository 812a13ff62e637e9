package dev.instanode.api.http;

import dev.instanode.api.mcp.McpEndpoint;
import dev.instanode.core.Masking;
import dev.instanode.core.auth.ApiKeys;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Locale;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per request, as Jetty finishes it (so requests Jetty refused before any route ran
 * are logged too, and the byte count is what was sent): method, the route template (never the raw
 * path, whose tokens are credentials), status, duration, request id, the caller masked, bytes. The
 * fields are also key-value pairs, so the JSON log of {@code serve} carries each as its own field.
 */
public final class AccessLog implements RequestLog {
  private static final Logger LOG = LoggerFactory.getLogger("instanode.access");
  private static final String ROUTE = "instanode.route";
  private static final String CALLER = "instanode.caller";
  private static final String UNMATCHED = "unmatched";

  /** Notes what the access line needs while the request is still Javalin's. */
  public static void note(Context ctx) {
    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    ctx.attribute(ROUTE, matched == null ? UNMATCHED : matched.path);
    ctx.attribute(CALLER, caller(ctx.header("Authorization")));
  }

  /** Who called, never enough of a credential to use it. */
  static String caller(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return "anonymous";
    }
    // By hand, not a regex split: this runs on every request.
    String header = authorization.trim();
    int space = header.indexOf(' ');
    String scheme = (space < 0 ? header : header.substring(0, space)).toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      return "basic";
    }
    String credential = space < 0 ? "" : header.substring(space + 1).trim();
    if (!scheme.equals("bearer") || credential.isEmpty()) {
      return "other";
    }
    return credential.startsWith(ApiKeys.PREFIX) ? "key:" + Masking.token(credential) : "session";
  }

  @Override
  public void log(Request request, Response response) {
    String path = request.getHttpURI().getPath();
    Object route = request.getAttribute(ROUTE);
    String template =
        route != null
            ? route.toString()
            : McpEndpoint.PATH.equals(path) ? McpEndpoint.PATH : UNMATCHED;
    Object noted = request.getAttribute(CALLER);
    String caller =
        noted != null ? noted.toString() : caller(request.getHeaders().get("Authorization"));
    String requestId = response.getHeaders().get(RequestContext.HEADER);
    long millis = Math.max(0, System.currentTimeMillis() - Request.getTimeStamp(request));
    long bytes = Response.getContentBytesWritten(response);
    int status = response.getStatus();
    LOG.atInfo()
        .addKeyValue("method", request.getMethod())
        .addKeyValue("route", template)
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", millis)
        .addKeyValue("request_id", requestId == null ? "-" : requestId)
        .addKeyValue("caller", caller)
        .addKeyValue("bytes", bytes)
        .log(
            "http.access method={} route={} status={} duration_ms={} request_id={} caller={}"
                + " bytes={}",
            request.getMethod(),
            template,
            status,
            millis,
            requestId == null ? "-" : requestId,
            caller,
            bytes);
  }
}
