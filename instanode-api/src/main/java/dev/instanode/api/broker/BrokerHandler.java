package dev.instanode.api.broker;

import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.BrokerErrorReply;
import dev.instanode.api.wire.BrokerOperationReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.Masking;
import dev.instanode.core.crypto.Secrets;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Service Broker API v2.17 under {@code /v2}: basic auth (the platform's credentials),
 * {@code X-Broker-API-Version} 2.13 or later (412 otherwise), the originating identity read for the
 * audit, and every refusal in the spec's error body rather than the API's envelope, since platforms
 * read those. The rules are {@link BrokerService}'s.
 */
public final class BrokerHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerHandler.class);
  private static final Pattern VERSION = Pattern.compile("\\s*(\\d{1,4})\\.(\\d{1,4})\\s*");
  private static final int MIN_MINOR = 13;
  private static final String REQUEST_IDENTITY = "X-Broker-API-Request-Identity";

  private final BrokerService service;
  private final BrokerSettings settings;
  private final JsonBodies bodies;
  private final JsonMapper mapper;
  private final BrokerMetrics metrics;

  public BrokerHandler(
      BrokerService service,
      BrokerSettings settings,
      JsonBodies bodies,
      JsonMapper mapper,
      BrokerMetrics metrics) {
    this.service = service;
    this.settings = settings;
    this.bodies = bodies;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  public void catalog(Context ctx) {
    answer(ctx, "catalog", () -> new BrokerService.Answer(200, service.catalog()));
  }

  public void provision(Context ctx) {
    answer(
        ctx,
        "provision",
        () ->
            service.provision(
                id(ctx, "instance_id"),
                BrokerRequest.Provision.of(bodies.object(ctx), mapper),
                acceptsIncomplete(ctx),
                origin(ctx),
                RequestContext.id(ctx)));
  }

  public void instance(Context ctx) {
    answer(
        ctx,
        "fetch_instance",
        () -> new BrokerService.Answer(200, service.instance(id(ctx, "instance_id"))));
  }

  public void binding(Context ctx) {
    answer(
        ctx,
        "fetch_binding",
        () ->
            new BrokerService.Answer(
                200, service.binding(id(ctx, "instance_id"), id(ctx, "binding_id"))));
  }

  public void lastOperation(Context ctx) {
    answer(
        ctx,
        "last_operation",
        () -> new BrokerService.Answer(200, service.lastOperation(id(ctx, "instance_id"))));
  }

  public void deprovision(Context ctx) {
    answer(
        ctx,
        "deprovision",
        () ->
            service.deprovision(
                id(ctx, "instance_id"), target(ctx), origin(ctx), RequestContext.id(ctx)));
  }

  public void bind(Context ctx) {
    answer(
        ctx,
        "bind",
        () ->
            service.bind(
                id(ctx, "instance_id"),
                id(ctx, "binding_id"),
                BrokerRequest.Bind.of(bodies.object(ctx), mapper),
                origin(ctx),
                RequestContext.id(ctx)));
  }

  public void unbind(Context ctx) {
    answer(
        ctx,
        "unbind",
        () ->
            service.unbind(
                id(ctx, "instance_id"),
                id(ctx, "binding_id"),
                target(ctx),
                origin(ctx),
                RequestContext.id(ctx)));
  }

  /** Checks the caller and the version, runs the call, and writes its answer or refusal. */
  private void answer(Context ctx, String operation, Supplier<BrokerService.Answer> call) {
    String requestIdentity = ctx.header(REQUEST_IDENTITY);
    if (requestIdentity != null && requestIdentity.length() <= 255) {
      ctx.header(REQUEST_IDENTITY, requestIdentity);
    }
    int status;
    try {
      authenticate(ctx);
      requireVersion(ctx);
      BrokerService.Answer answer = call.get();
      ctx.status(answer.status()).json(answer.body());
      status = answer.status();
    } catch (BrokerException e) {
      status = refuse(ctx, e.status(), e.emptyBody(), e.error(), e.getMessage());
      if (e.status() >= 500) {
        LOG.warn(
            "broker.failed operation={} status={} cause={}",
            operation,
            e.status(),
            e.getCause() == null ? "-" : Masking.scrubUrls(e.getCause().toString()));
      }
    } catch (ApiException e) {
      // The shared services' refusals (a malformed body, a busy row), in the spec's shape.
      status = refuse(ctx, e.code().httpStatus(), false, Optional.empty(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("broker.unexpected_error operation={}", operation, e);
      status = refuse(ctx, 500, false, Optional.empty(), "Something went wrong on our side.");
    }
    metrics.request(operation, status);
  }

  private static int refuse(
      Context ctx, int status, boolean emptyBody, Optional<String> error, String description) {
    ctx.status(status);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Basic realm=\"instanode broker\"");
    }
    if (status == 503) {
      ctx.header("Retry-After", "5");
    }
    ctx.json(
        emptyBody
            ? BrokerOperationReply.DONE
            : new BrokerErrorReply(error.orElse(null), description));
    return status;
  }

  private void authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw BrokerException.unauthorized("Basic auth with the broker's credentials is required.");
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BrokerException.unauthorized("The Authorization header is not valid basic auth.");
    }
    String expected = settings.username() + ":" + settings.password();
    if (!Secrets.constantTimeEquals(decoded, expected)) {
      throw BrokerException.unauthorized("The broker's credentials do not match.");
    }
  }

  private static void requireVersion(Context ctx) {
    String header = ctx.header("X-Broker-API-Version");
    Matcher version = VERSION.matcher(header == null ? "" : header);
    if (!version.matches()
        || Integer.parseInt(version.group(1)) != 2
        || Integer.parseInt(version.group(2)) < MIN_MINOR) {
      throw BrokerException.versionRequired(
          "X-Broker-API-Version must be 2."
              + MIN_MINOR
              + " or a later 2.x (this broker speaks"
              + " 2.17).");
    }
  }

  /** A platform's id: 1 to 255 printable characters (a control character is no id, and no row). */
  private static String id(Context ctx, String name) {
    String id = ctx.pathParam(name);
    if (id.isBlank() || id.length() > 255 || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw BrokerException.badRequest(name + " must be 1 to 255 printable characters.");
    }
    return id;
  }

  private static boolean acceptsIncomplete(Context ctx) {
    String value = ctx.queryParam("accepts_incomplete");
    if (value == null) {
      return false;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw BrokerException.badRequest("accepts_incomplete must be true or false.");
    }
    return value.equals("true");
  }

  private static BrokerRequest.Target target(Context ctx) {
    return BrokerRequest.Target.ofQuery(ctx.queryParam("service_id"), ctx.queryParam("plan_id"));
  }

  private Optional<OriginatingIdentity> origin(Context ctx) {
    return OriginatingIdentity.parse(ctx.header("X-Broker-API-Originating-Identity"), mapper);
  }
}
