package dev.instanode.api.provision;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ApiException;
import dev.instanode.core.DurationText;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.store.ResourceRecord;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /db/new}, {@code POST /cache/new}: validate, provision, answer. Only IO here. */
public final class ProvisionHandler {
  private final ResourceProvisioning provisioning;
  private final JsonBodies bodies;
  private final Plans plans;
  private final ApiSettings settings;

  public ProvisionHandler(
      ResourceProvisioning provisioning, JsonBodies bodies, Plans plans, ApiSettings settings) {
    this.provisioning = provisioning;
    this.bodies = bodies;
    this.plans = plans;
    this.settings = settings;
  }

  public void provision(Context ctx, ResourceType type) {
    if (!settings.enabledServices().contains(type)) {
      throw new ApiException(
          ErrorCode.SERVICE_DISABLED,
          "The " + type.wireName() + " service is not enabled on this instanode.");
    }
    ObjectNode body = bodies.object(ctx);
    String name = requireName(body.get("name"));
    String env = env(body.get("env"), ctx.queryParam("env"));
    ProvisionCommand cmd =
        new ProvisionCommand(
            type,
            name,
            env,
            Tier.ANONYMOUS,
            Optional.empty(),
            Optional.of(fingerprint(ctx)),
            RequestContext.id(ctx));
    ProvisionedResource made = provisioning.provision(cmd);
    ctx.status(201).json(response(made));
  }

  private static String requireName(JsonNode node) {
    if (node == null || node.isNull() || (node.isString() && node.asString().isEmpty())) {
      throw new ApiException(ErrorCode.NAME_REQUIRED, "A \"name\" is required.");
    }
    if (!node.isString() || !ResourceNames.isValidName(node.asString())) {
      throw new ApiException(
          ErrorCode.INVALID_NAME,
          "The name must be 1-64 characters of letters, digits, spaces, '_' or '-', starting"
              + " with a letter or digit.");
    }
    return node.asString();
  }

  // ?env= wins over the body, as in the original clients.
  private static String env(JsonNode bodyEnv, String queryEnv) {
    Object raw =
        queryEnv != null
            ? queryEnv
            : bodyEnv == null || bodyEnv.isNull()
                ? null
                : bodyEnv.isString() ? bodyEnv.asString() : bodyEnv;
    if (raw == null) {
      return ResourceNames.DEFAULT_ENV;
    }
    if (!(raw instanceof String s) || !ResourceNames.isValidEnv(s)) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
    return s;
  }

  private static Fingerprint fingerprint(Context ctx) {
    try {
      return Fingerprint.of(InetAddress.getByName(ctx.req().getRemoteAddr()));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("socket address is not an IP", e);
    }
  }

  private ProvisionResponse response(ProvisionedResource made) {
    ResourceRecord r = made.record();
    Plan plan = plans.of(r.tier());
    Map<String, Object> limits = new LinkedHashMap<>();
    switch (r.type()) {
      case POSTGRES -> {
        limits.put("storage_mb", plan.postgres().storageMb());
        limits.put("connections", plan.postgres().connections());
      }
      case REDIS -> limits.put("memory_mb", plan.redis().memoryMb());
    }
    Optional<String> note = Optional.empty();
    if (r.expiresAt().isPresent()) {
      String ttl = DurationText.format(settings.anonymousTtl());
      limits.put("expires_in", ttl);
      note = Optional.of("Works for " + ttl + ". Claim it to keep it.");
    }
    return new ProvisionResponse(
        true,
        r.id().toString(),
        r.token().toString(),
        r.name(),
        r.type().wireName(),
        made.connectionUrl(),
        r.tier().wireName(),
        r.env(),
        r.expiresAt(),
        limits,
        r.keyPrefix(),
        note);
  }
}
