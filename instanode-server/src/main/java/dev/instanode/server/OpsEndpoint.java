package dev.instanode.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.instanode.api.http.ErrorEnvelope;
import dev.instanode.api.http.Json;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import dev.instanode.core.crypto.Secrets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /livez}, {@code /readyz} and {@code /metrics} on {@code PORT} for a process that runs no
 * api role (a worker or provisioner alone): without it a worker had nothing a liveness probe or a
 * Prometheus scrape could reach, and its job metrics were never seen.
 */
final class OpsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpsEndpoint.class);
  // As the api's ops routes: a flood of probes or scrapes must not pile onto the database.
  private static final int IN_FLIGHT = 8;
  private static final int READY_TIMEOUT_SECONDS = 2;
  private static final JsonMapper ENVELOPES = Json.mapper();

  private final HttpServer server;
  private final ExecutorService executor;

  private OpsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param platform ready when a {@code SELECT 1} on it answers
   * @param metricsToken when present, {@code /metrics} needs it as a bearer token
   */
  static OpsEndpoint start(
      String host,
      int port,
      Jdbi platform,
      PrometheusMeterRegistry meters,
      Optional<String> metricsToken) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve ops on " + host + ":" + port, e);
    }
    // Probes and scrapes have permits of their own: probes hanging on a database that is down
    // never keep the scrape (the alerts' data) out.
    Semaphore probes = new Semaphore(IN_FLIGHT);
    Semaphore scrapes = new Semaphore(IN_FLIGHT);
    server.createContext(
        "/livez",
        exact("/livez", exchange -> reply(exchange, 200, "application/json", "{\"ok\":true}")));
    server.createContext(
        "/readyz",
        exact(
            "/readyz",
            exchange ->
                bounded(
                    exchange,
                    probes,
                    () -> {
                      try {
                        platform.withHandle(h ->
                            h.createQuery("SELECT 1")
                                .setQueryTimeout(READY_TIMEOUT_SECONDS)
                                .mapTo(int.class)
                                .one());
                        reply(exchange, 200, "application/json", "{\"overall\":\"ok\"}");
                      } catch (RuntimeException e) {
                        LOG.warn("ops.not_ready check=platform_db error={}", e.toString());
                        reply(exchange, 503, "application/json", "{\"overall\":\"failed\"}");
                      }
                    })));
    server.createContext(
        "/metrics",
        exact(
            "/metrics",
            exchange ->
                bounded(
                    exchange,
                    scrapes,
                    () -> {
                      if (metricsToken.isPresent()) {
                        String header = exchange.getRequestHeaders().getFirst("Authorization");
                        String presented =
                            header != null && header.startsWith("Bearer ")
                                ? header.substring(7)
                                : "";
                        if (!Secrets.constantTimeEquals(presented, metricsToken.get())) {
                          refuse(
                              exchange,
                              ErrorCode.UNAUTHORIZED,
                              "/metrics needs Authorization: Bearer <METRICS_TOKEN>.");
                          return;
                        }
                      }
                      reply(
                          exchange,
                          200,
                          "text/plain; version=0.0.4; charset=utf-8",
                          meters.scrape());
                    })));
    // Every other path is the envelope's 404, as on the api.
    server.createContext(
        "/",
        exchange ->
            refuse(
                exchange, ErrorCode.NOT_FOUND, "This port serves /livez, /readyz and /metrics."));
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.start();
    LOG.info("ops.started host={} port={}", host, server.getAddress().getPort());
    return new OpsEndpoint(server, executor);
  }

  /**
   * The context serves exactly {@code path} and only GET or HEAD (a context matches by prefix, so
   * {@code /metricsX} would otherwise reach it).
   */
  private static HttpHandler exact(String path, HttpHandler handler) {
    return exchange -> {
      if (!exchange.getRequestURI().getPath().equals(path)) {
        refuse(exchange, ErrorCode.NOT_FOUND, "This port serves /livez, /readyz and /metrics.");
      } else if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        refuse(exchange, ErrorCode.METHOD_NOT_ALLOWED, path + " answers GET.");
      } else {
        handler.handle(exchange);
      }
    };
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void bounded(HttpExchange exchange, Semaphore inFlight, IoRoute route)
      throws IOException {
    if (!inFlight.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      refuse(exchange, ErrorCode.SERVICE_UNAVAILABLE, "Too many ops requests at once; retry.");
      return;
    }
    try {
      route.run();
    } finally {
      inFlight.release();
    }
  }

  /** A refusal in the JSON envelope every instanode error uses. */
  private static void refuse(HttpExchange exchange, ErrorCode code, String message)
      throws IOException {
    RequestId id = RequestId.random();
    exchange.getResponseHeaders().set(RequestContext.HEADER, id.value());
    reply(
        exchange,
        code.httpStatus(),
        "application/json",
        ENVELOPES.writeValueAsString(
            ErrorEnvelope.of(code, message, id, OptionalInt.empty(), Optional.empty())));
  }

  private static void reply(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @FunctionalInterface
  private interface IoRoute {
    void run() throws IOException;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
