package dev.instanode.api.dashboard;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The dashboard's own script and style sheet, read once from the classpath. */
public final class AssetPages {
  private final String script = asset("dashboard.js");
  private final String styles = asset("dashboard.css");

  AssetPages() {}

  public void script(Context ctx) {
    send(ctx, "text/javascript; charset=utf-8", script);
  }

  public void styles(Context ctx) {
    send(ctx, "text/css; charset=utf-8", styles);
  }

  private static void send(Context ctx, String contentType, String body) {
    Views.headers(ctx);
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType(contentType).result(body);
  }

  private static String asset(String name) {
    try (InputStream in = AssetPages.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
