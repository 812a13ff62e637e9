package dev.instanode.api.http;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * The few server-rendered pages a person reaches from a mailed link: no script, no third-party
 * resource, labelled fields, a form post for every act (a link a mail scanner fetches changes
 * nothing). What they interpolate is escaped; each is sent with a strict CSP, no referrer (a page's
 * URL can carry a one-time token) and no caching.
 */
public final class HtmlPage {
  static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none';"
          + " base-uri 'none'";

  private HtmlPage() {}

  /** A whole page: {@code title} is escaped here, {@code body} must already be. */
  public static String of(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + escape(title)
        + " · instanode</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;"
        + "margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.5rem 0}"
        + "input{width:100%;padding:.5rem}button{padding:.5rem 1rem}</style></head><body><main>"
        + "<h1>"
        + escape(title)
        + "</h1>"
        + body
        + "</main></body></html>";
  }

  public static void send(Context ctx, int status, String page) {
    ctx.status(status);
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    ctx.html(page);
  }

  /** Whether the client asked for a page (a browser) rather than JSON. */
  public static boolean wanted(Context ctx) {
    return Optional.ofNullable(ctx.header("Accept")).orElse("").contains("text/html");
  }

  /** Whether the body is one of these pages' urlencoded forms. */
  public static boolean isForm(Context ctx) {
    return Optional.ofNullable(ctx.contentType())
        .orElse("")
        .toLowerCase(Locale.ROOT)
        .startsWith("application/x-www-form-urlencoded");
  }

  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
