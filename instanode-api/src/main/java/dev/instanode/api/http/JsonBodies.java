package dev.instanode.api.http;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Reads a request body as a JSON object, refusing anything else with a clear 4xx. */
public final class JsonBodies {
  private final JsonMapper mapper;
  private final long maxBodyBytes;

  public JsonBodies(JsonMapper mapper, long maxBodyBytes) {
    this.mapper = mapper;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Refuses an oversized body from its Content-Length before anything parses it. A body up to
   * {@link #DRAIN_LIMIT} is read and dropped first: answering while the client is still sending
   * makes the server close a connection with unread bytes, and the TCP reset that follows can
   * destroy the 413 before the client reads it. Larger ones are refused without being read.
   */
  public void rejectOversized(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      if (declared <= DRAIN_LIMIT) {
        drain(ctx);
      }
      throw tooLarge();
    }
  }

  /** The most of a refused body read only so that the refusal reaches the client intact. */
  static final long DRAIN_LIMIT = 8L * 1024 * 1024;

  /**
   * Reads and drops what is left of a refused body, up to {@link #DRAIN_LIMIT}, so that the refusal
   * reaches the client intact.
   */
  public static void drainRefused(Context ctx) {
    drain(ctx);
  }

  private static void drain(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] buffer = new byte[64 * 1024];
      long read = 0;
      int n;
      while (read < DRAIN_LIMIT && (n = in.read(buffer)) >= 0) {
        read += n;
      }
    } catch (IOException e) {
      // The client went away; the 413 is all that is left to try.
    }
  }

  /** An empty body reads as {@code {}} so that validation can name the missing field. */
  public ObjectNode object(Context ctx) {
    return parseObject(ctx.contentType(), read(ctx));
  }

  /** The raw body, refused with 413 past the limit. */
  public byte[] read(Context ctx) {
    return readLimited(ctx);
  }

  public ObjectNode parseObject(String contentType, byte[] body) {
    if (body.length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "The body must be JSON sent with Content-Type: application/json.");
    }
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JacksonException e) {
      throw new ApiException(ErrorCode.INVALID_BODY, "The body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw new ApiException(ErrorCode.INVALID_BODY, "The body must be a JSON object.");
    }
    return (ObjectNode) node;
  }

  /** A field the contract types as a string; any other JSON value reads as absent. */
  public static Optional<String> text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node != null && node.isString() ? Optional.of(node.asString()) : Optional.empty();
  }

  // Reads at most one byte past the limit, so a chunked body without Content-Length is refused
  // without buffering all of it.
  private byte[] readLimited(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes(Math.toIntExact(maxBodyBytes + 1));
      if (body.length > maxBodyBytes) {
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new ApiException(ErrorCode.INVALID_BODY, "The body could not be read.");
    }
  }

  private ApiException tooLarge() {
    return new ApiException(
        ErrorCode.PAYLOAD_TOO_LARGE, "The body is larger than " + maxBodyBytes + " bytes.");
  }
}
