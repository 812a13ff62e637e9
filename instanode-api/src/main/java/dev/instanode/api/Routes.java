package dev.instanode.api;

import dev.instanode.api.ops.OpsHandler;
import dev.instanode.api.provision.ProvisionHandler;
import dev.instanode.core.ResourceType;
import io.javalin.config.RoutesConfig;

/** Every route of the HTTP surface, in one place. Handlers only do IO. */
public final class Routes {
  private Routes() {}

  public static void register(RoutesConfig routes, OpsHandler ops, ProvisionHandler provision) {
    routes.get("/livez", ops::livez);
    routes.get("/healthz", ops::healthz);
    routes.get("/readyz", ops::readyz);
    routes.get("/metrics", ops::metrics);
    routes.get("/api/v1/capabilities", ops::capabilities);

    routes.post("/db/new", ctx -> provision.provision(ctx, ResourceType.POSTGRES));
    routes.post("/cache/new", ctx -> provision.provision(ctx, ResourceType.REDIS));
  }
}
