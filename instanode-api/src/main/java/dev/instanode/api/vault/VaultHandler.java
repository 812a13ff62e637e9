package dev.instanode.api.vault;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import io.javalin.http.Context;
import java.util.Optional;

/** {@code /api/v1/vault/{env}[/{key}]}; the rules are {@link VaultService}'s. */
public final class VaultHandler {
  private final Authenticator auth;
  private final VaultService vault;
  private final JsonBodies bodies;

  public VaultHandler(Authenticator auth, VaultService vault, JsonBodies bodies) {
    this.auth = auth;
    this.vault = vault;
    this.bodies = bodies;
  }

  public void put(Context ctx) {
    var member = auth.required(ctx);
    Optional<String> value = JsonBodies.text(bodies.object(ctx), "value");
    ctx.json(
        vault.put(
            member, ctx.pathParam("env"), ctx.pathParam("key"), value, RequestContext.id(ctx)));
  }

  /** A value is a credential: a read-only key cannot reveal it, as with connection URLs. */
  public void get(Context ctx) {
    ctx.json(
        vault.get(
            auth.requiredWriter(ctx),
            ctx.pathParam("env"),
            ctx.pathParam("key"),
            Optional.ofNullable(ctx.queryParam("version")),
            RequestContext.id(ctx)));
  }

  public void delete(Context ctx) {
    ctx.json(
        vault.delete(
            auth.required(ctx),
            ctx.pathParam("env"),
            ctx.pathParam("key"),
            RequestContext.id(ctx)));
  }

  public void list(Context ctx) {
    ctx.json(vault.list(auth.required(ctx), ctx.pathParam("env")));
  }
}
