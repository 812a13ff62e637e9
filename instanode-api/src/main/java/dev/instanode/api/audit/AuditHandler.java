package dev.instanode.api.audit;

import dev.instanode.api.auth.Authenticator;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * {@code GET /api/v1/audit} and {@code GET /api/v1/audit.csv}; the rules are {@link AuditTrail}'s.
 */
public final class AuditHandler {
  private final Authenticator auth;
  private final AuditTrail trail;

  public AuditHandler(Authenticator auth, AuditTrail trail) {
    this.auth = auth;
    this.trail = trail;
  }

  public void list(Context ctx) {
    ctx.json(
        trail.page(
            auth.required(ctx),
            query(ctx),
            Optional.ofNullable(ctx.queryParam("cursor")),
            Optional.ofNullable(ctx.queryParam("limit"))));
  }

  public void csv(Context ctx) throws Exception {
    AuditTrail.CsvExport export = trail.csv(auth.required(ctx), query(ctx));
    ctx.contentType("text/csv; charset=utf-8");
    ctx.header("Content-Disposition", "attachment; filename=\"audit.csv\"");
    export.writeTo(ctx.res().getOutputStream());
  }

  private static AuditTrail.Query query(Context ctx) {
    return new AuditTrail.Query(
        Optional.ofNullable(ctx.queryParam("kind")),
        Optional.ofNullable(ctx.queryParam("actor")),
        Optional.ofNullable(ctx.queryParam("resource")),
        Optional.ofNullable(ctx.queryParam("since")));
  }
}
