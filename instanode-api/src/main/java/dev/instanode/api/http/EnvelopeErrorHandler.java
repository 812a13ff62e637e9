package dev.instanode.api.http;

import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.json.JsonMapper;

/**
 * Jetty's own error responses (framing, oversized heads, unknown versions: everything refused
 * before a route runs) as the JSON envelope with a request id, never Jetty's HTML page. Jetty's
 * reason text is not echoed: it can quote the offending input.
 */
public final class EnvelopeErrorHandler extends ErrorHandler {
  private final JsonMapper mapper;

  public EnvelopeErrorHandler(JsonMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus() >= 400 ? response.getStatus() : 500;
    RequestId id = RequestId.random();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(RequestContext.HEADER, id.value());
    ErrorCode.forStatus(status)
        .defaultRetryAfterSeconds()
        .ifPresent(s -> response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(s)));
    response.write(true, ByteBuffer.wrap(body(status, id)), callback);
    return true;
  }

  private byte[] body(int status, RequestId id) {
    ErrorCode code = ErrorCode.forStatus(status);
    return mapper.writeValueAsBytes(
        ErrorEnvelope.of(
            code, message(code), id, code.defaultRetryAfterSeconds(), Optional.empty()));
  }

  private static String message(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST -> "The HTTP request was malformed.";
      case URI_TOO_LONG -> "The request URL is too long.";
      case HEADERS_TOO_LARGE -> "The request headers are too large.";
      case REQUEST_TIMEOUT -> "The request was not received in time.";
      case UPGRADE_REQUIRED, HTTP_VERSION_NOT_SUPPORTED -> "This server speaks HTTP/1.1.";
      case PAYLOAD_TOO_LARGE -> "The request body is too large.";
      case SERVICE_UNAVAILABLE -> "The server is busy; retry shortly.";
      default -> "The request could not be handled.";
    };
  }
}
