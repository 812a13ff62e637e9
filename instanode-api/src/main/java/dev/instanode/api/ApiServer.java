package dev.instanode.api;

import dev.instanode.api.auth.Access;
import dev.instanode.api.auth.RoleGate;
import dev.instanode.api.http.AccessLog;
import dev.instanode.api.http.EnvelopeErrorHandler;
import dev.instanode.api.http.ErrorMapper;
import dev.instanode.api.http.HttpMetrics;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.http.RequestShape;
import dev.instanode.api.http.SlowRequestReaper;
import dev.instanode.api.mcp.McpEndpoint;
import dev.instanode.core.ApiException;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson3;
import io.javalin.security.Roles;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import tools.jackson.databind.json.JsonMapper;

/** The Javalin server: middleware order, error mapping, and {@link Routes}. */
public final class ApiServer implements AutoCloseable {
  private final Javalin app;

  public ApiServer(
      JsonMapper mapper,
      JsonBodies bodies,
      HttpMetrics httpMetrics,
      long maxBodyBytes,
      Duration requestReadTimeout,
      Routes.Handlers handlers,
      McpEndpoint mcp) {
    this.app =
        Javalin.create(config -> {
          config.startup.showJavalinBanner = false;
          // Javalin's startup watcher leaves a non-daemon thread that delays exit by 5 s.
          config.startup.startupWatcherEnabled = false;
          config.concurrency.useVirtualThreads = true;
          config.http.maxRequestSize = maxBodyBytes;
          // A stack's manifest may come as a multipart upload: held to the same bound as any body.
          config.jetty.multipartConfig.maxTotalRequestSize(maxBodyBytes, SizeUnit.BYTES);
          config.jetty.multipartConfig.maxFileSize(maxBodyBytes, SizeUnit.BYTES);
          config.http.prefer405over404 = true;
          config.jsonMapper(new JavalinJackson3(mapper, false));
          EnvelopeErrorHandler jettyErrors = new EnvelopeErrorHandler(mapper);
          config.jetty.modifyServer(server -> {
            server.setErrorHandler(jettyErrors);
            server.setRequestLog(new AccessLog());
            server.addBean(
                new SlowRequestReaper(server, requestReadTimeout, httpMetrics::slowRequestClosed));
          });
          config.jetty.modifyServletContextHandler(context -> {
            context.setErrorHandler(jettyErrors);
            // The MCP endpoint is the SDK's own servlet, beside the routes (an exact path wins).
            ServletHolder holder = new ServletHolder(mcp.servlet());
            holder.setAsyncSupported(true);
            context.addServlet(holder, McpEndpoint.PATH);
          });
          config.routes.before(ctx -> {
            RequestContext.begin(ctx);
            RequestShape.check(ctx);
            bodies.rejectOversized(ctx);
          });
          config.routes.after(ctx -> {
            // Lets any client (and the benchmark) read the server-side time.
            ctx.header("Server-Timing", serverTiming(RequestContext.elapsedNanos(ctx)));
            httpMetrics.record(ctx);
            AccessLog.note(ctx);
            RequestContext.end();
          });
          config.routes.exception(ApiException.class, ErrorMapper::apiException);
          config.routes.exception(HttpResponseException.class, ErrorMapper::httpResponseException);
          config.routes.exception(IllegalCharsetNameException.class, ErrorMapper::unknownCharset);
          config.routes.exception(UnsupportedCharsetException.class, ErrorMapper::unknownCharset);
          config.routes.exception(Exception.class, ErrorMapper::unexpected);
          Routes.register(config.routes, handlers);
        });
    // A route without its one Access would answer every role: refuse to start instead.
    routes().forEach(r -> {});
  }

  /** A registered route and the least role that may call it. */
  public record RouteAccess(String method, String path, Access access) {}

  /** Every registered route with its access, as the router holds them. */
  public List<RouteAccess> routes() {
    return app.unsafe.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.endpoint)
        .filter(e -> e.method.isHttpMethod())
        .map(e -> {
          Roles roles = e.metadata(Roles.class);
          return new RouteAccess(
              e.method.name(),
              e.path,
              RoleGate.accessOf(roles == null ? Set.of() : roles.getRoles()));
        })
        .toList();
  }

  // Milliseconds to three places, built by hand: String.format cost 3% of a warm provision.
  static String serverTiming(long elapsedNanos) {
    long micros = Math.max(0, elapsedNanos / 1_000);
    long fraction = micros % 1_000;
    return "app;dur="
        + micros / 1_000
        + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".")
        + fraction;
  }

  public ApiServer start(String host, int port) {
    app.start(host, port);
    return this;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
