package dev.instanode.api.dashboard;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

/**
 * Renders the dashboard's templates (compiled to Java at build time by the jte Maven plugin) and
 * sends them with the headers every dashboard page carries: a Content-Security-Policy that runs
 * only the app's own script file and style sheet (no inline script, no third party), no framing, no
 * referrer (a sign-in link's URL holds a one-time token), and no caching (pages show secrets).
 */
public final class Views {
  public static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
          + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final TemplateEngine engine =
      TemplateEngine.createPrecompiled(
          null,
          ContentType.Html,
          Views.class.getClassLoader(),
          "dev.instanode.api.dashboard.templates");

  public String render(String template, Object model) {
    StringOutput out = new StringOutput();
    engine.render(template, model, out);
    return out.toString();
  }

  public void send(Context ctx, int status, String template, Object model) {
    String page = render(template, model);
    headers(ctx);
    ctx.status(status).html(page);
  }

  public static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }
}
