package dev.instanode.api.http;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * Checks what every route would otherwise trip over while decoding the request, before any route
 * runs: %-escapes in the path and query (decoded later by Javalin, which throws on a bad one), and
 * a body charset other than UTF-8 (JSON is UTF-8, RFC 8259; an unknown charset name throws where
 * the Content-Type is read).
 */
public final class RequestShape {
  static final String WEBHOOK_RECEIVE = "/webhook/receive/";

  private RequestShape() {}

  public static void check(Context ctx) {
    String path = ctx.req().getRequestURI();
    if (path != null && !wellEscaped(path)) {
      throw new ApiException(
          ErrorCode.INVALID_PATH, "The URL path has a malformed %-escape or a control character.");
    }
    String query = ctx.req().getQueryString();
    if (query != null && !wellEscaped(query)) {
      throw new ApiException(
          ErrorCode.INVALID_QUERY,
          "The query string has a malformed %-escape or a control character.");
    }
    // A webhook receiver stores whatever bytes a sender sends, in any charset.
    if (!ctx.method().name().equals("GET")
        && !ctx.method().name().equals("HEAD")
        && (path == null || !path.startsWith(WEBHOOK_RECEIVE))) {
      requireUtf8(ctx.req().getHeader("Content-Type"));
    }
  }

  /**
   * Every {@code %} starts two hex digits, and neither the text nor what an escape encodes is a
   * control character.
   */
  static boolean wellEscaped(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return false;
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0 || isControl(hi * 16 + lo)) {
          return false;
        }
        i += 2;
      } else if (isControl(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isControl(int c) {
    return c < 0x20 || c == 0x7f;
  }

  /** Refuses a declared charset other than UTF-8; no charset means UTF-8. */
  static void requireUtf8(String contentType) {
    if (contentType == null) {
      return;
    }
    for (String parameter : contentType.split(";")) {
      int eq = parameter.indexOf('=');
      if (eq < 0 || !parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("charset")) {
        continue;
      }
      String charset = parameter.substring(eq + 1).trim();
      if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
        charset = charset.substring(1, charset.length() - 1);
      }
      if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
        throw new ApiException(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "JSON bodies are UTF-8: send Content-Type: application/json with no charset or"
                + " charset=utf-8.");
      }
    }
  }
}
