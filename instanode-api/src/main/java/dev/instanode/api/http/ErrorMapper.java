package dev.instanode.api.http;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Masking;
import dev.instanode.core.RequestId;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into the JSON envelope; the only place that writes error responses. */
public final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private static final int BUSY_RETRY_AFTER_SECONDS = 2;

  private ErrorMapper() {}

  public static void apiException(ApiException e, Context ctx) {
    if (e.code().httpStatus() >= 500) {
      LOG.warn(
          "request.failed code={} message={} cause={}",
          e.code().code(),
          e.getMessage(),
          e.getCause() == null ? "" : Masking.scrubUrls(e.getCause().toString()));
    }
    writeEnvelope(ctx, e.code(), envelope(ctx, e), e.retryAfterSeconds());
  }

  /** Javalin's own 404/405/413 and friends. */
  public static void httpResponseException(HttpResponseException e, Context ctx) {
    ErrorCode code =
        e.getStatus() == 400 ? ErrorCode.INVALID_BODY : ErrorCode.forStatus(e.getStatus());
    String message = code == ErrorCode.NOT_FOUND ? "No such route: " + ctx.path() : e.getMessage();
    write(ctx, code, message, code.defaultRetryAfterSeconds());
  }

  /** A charset Java does not know, wherever something reads the Content-Type. */
  public static void unknownCharset(IllegalArgumentException e, Context ctx) {
    write(
        ctx,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "JSON bodies are UTF-8: send Content-Type: application/json with no charset or"
            + " charset=utf-8.",
        OptionalInt.empty());
  }

  /** Anything unexpected: logged with its stack, answered without one. */
  public static void unexpected(Exception e, Context ctx) {
    if (isDependencyBusy(e)) {
      // A full connection pool or a slow Redis is load, not a bug: 503 with a short back-off.
      LOG.warn(
          "request.dependency_busy route={} cause={}", route(ctx), Masking.scrubUrls(e.toString()));
      write(
          ctx,
          ErrorCode.SERVICE_UNAVAILABLE,
          "instanode is busy; retry shortly.",
          OptionalInt.of(BUSY_RETRY_AFTER_SECONDS));
      return;
    }
    LOG.error("request.unexpected_error route={}", route(ctx), e);
    write(
        ctx,
        ErrorCode.INTERNAL_ERROR,
        "Something went wrong on our side.",
        ErrorCode.INTERNAL_ERROR.defaultRetryAfterSeconds());
  }

  /**
   * A connection pool that timed out handing out a connection, or a Redis command or connection
   * that timed out, anywhere in the cause chain.
   */
  static boolean isDependencyBusy(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof RedisCommandTimeoutException
          || t instanceof RedisConnectionException) {
        return true;
      }
    }
    return false;
  }

  /** The envelope {@code e} answers with, for callers that store responses (idempotency). */
  public static ErrorEnvelope envelope(Context ctx, ApiException e) {
    return envelope(RequestContext.id(ctx), e);
  }

  public static ErrorEnvelope envelope(RequestId requestId, ApiException e) {
    return ErrorEnvelope.of(
        e.code(), e.getMessage(), requestId, e.retryAfterSeconds(), e.upgradeUrl());
  }

  public static void write(Context ctx, ErrorCode code, String message, OptionalInt retryAfter) {
    writeEnvelope(
        ctx,
        code,
        ErrorEnvelope.of(code, message, RequestContext.id(ctx), retryAfter, Optional.empty()),
        retryAfter);
  }

  private static void writeEnvelope(
      Context ctx, ErrorCode code, ErrorEnvelope envelope, OptionalInt retryAfter) {
    ctx.status(code.httpStatus());
    if (retryAfter.isPresent()) {
      ctx.header("Retry-After", String.valueOf(retryAfter.getAsInt()));
    }
    if (code.httpStatus() == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"instanode\"");
    }
    ctx.json(envelope);
  }

  /**
   * The route template, never the raw path: a path can carry a credential (a resource token, an
   * invitation token), and a log line must not.
   */
  static String route(Context ctx) {
    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    return matched == null ? "unmatched" : ctx.method().name() + " " + matched.path;
  }
}
