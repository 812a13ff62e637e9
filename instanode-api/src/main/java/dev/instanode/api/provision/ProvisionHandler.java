package dev.instanode.api.provision;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.gate.AnonymousGate;
import dev.instanode.api.http.ErrorMapper;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.idempotency.Idempotency;
import dev.instanode.core.ApiException;
import dev.instanode.core.DurationText;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.ResourceRecord;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /db/new}, {@code POST /cache/new}: authenticate (optional-strict), replay or run
 * under the Idempotency-Key, validate, pass the anonymous gate, provision, answer. Only IO here.
 */
public final class ProvisionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionHandler.class);
  private final ResourceProvisioning provisioning;
  private final JsonBodies bodies;
  private final JsonMapper mapper;
  private final Plans plans;
  private final ApiSettings settings;
  private final Authenticator auth;
  private final AnonymousGate gate;
  private final Idempotency idempotency;
  private final IdentityRepository identities;
  private final ClaimService claims;

  public ProvisionHandler(
      ResourceProvisioning provisioning,
      JsonBodies bodies,
      JsonMapper mapper,
      Plans plans,
      ApiSettings settings,
      Authenticator auth,
      AnonymousGate gate,
      Idempotency idempotency,
      IdentityRepository identities,
      ClaimService claims) {
    this.provisioning = provisioning;
    this.bodies = bodies;
    this.mapper = mapper;
    this.plans = plans;
    this.settings = settings;
    this.auth = auth;
    this.gate = gate;
    this.idempotency = idempotency;
    this.identities = identities;
    this.claims = claims;
  }

  private record Reply(int status, Object body) {}

  public void provision(Context ctx, ResourceType type) {
    if (!settings.enabledServices().contains(type)) {
      throw new ApiException(
          ErrorCode.SERVICE_DISABLED,
          "The " + type.wireName() + " service is not enabled on this instanode.");
    }
    Caller caller = auth.optionalStrict(ctx);
    byte[] raw = bodies.read(ctx);
    // ?env= changes the request as much as the body does.
    byte[] identity =
        (ctx.queryString() == null ? "" : ctx.queryString() + "\n")
            .concat(new String(raw, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    Idempotency.Start start =
        idempotency.begin(
            scope(caller),
            type.wireName(),
            ctx.header(Idempotency.HEADER),
            identity,
            caller instanceof Caller.Anonymous ? Idempotency.MIN_ANONYMOUS_KEY : 1);
    if (start instanceof Idempotency.Replay replay) {
      ctx.status(replay.status())
          .header("X-Idempotent-Replay", "true")
          .contentType("application/json")
          .result(replay.body());
      return;
    }
    Idempotency.Proceed proceed = (Idempotency.Proceed) start;
    Reply reply;
    try {
      reply = handle(ctx, caller, type, raw);
    } catch (ApiException e) {
      idempotency.complete(
          proceed, e.code().httpStatus(), mapper.writeValueAsString(ErrorMapper.envelope(ctx, e)));
      throw e;
    } catch (RuntimeException e) {
      idempotency.abandon(proceed);
      throw e;
    }
    String body = mapper.writeValueAsString(reply.body());
    idempotency.complete(proceed, reply.status(), body);
    ctx.status(reply.status()).contentType("application/json").result(body);
  }

  private Reply handle(Context ctx, Caller caller, ResourceType type, byte[] raw) {
    ObjectNode body = bodies.parseObject(ctx.contentType(), raw);
    String name = requireName(body.get("name"));
    String env = env(body.get("env"), ctx.queryParam("env"));
    return switch (caller) {
      case Caller.Anonymous anonymous -> anonymous(ctx, anonymous, type, name, env);
      case Caller.Member member -> {
        Tier tier =
            identities
                .team(member.teamId())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team is gone."))
                .planTier();
        ProvisionCommand cmd =
            new ProvisionCommand(
                type,
                name,
                env,
                tier,
                Optional.of(member.teamId()),
                Optional.of(member.fingerprint()),
                RequestContext.id(ctx));
        yield new Reply(201, response(provisioning.provision(cmd), Optional.empty()));
      }
    };
  }

  private Reply anonymous(
      Context ctx, Caller.Anonymous caller, ResourceType type, String name, String env) {
    AnonymousGate.Decision decision = gate.admit(caller.fingerprint());
    if (decision instanceof AnonymousGate.OverLimit over) {
      // Never an existing resource instead: the network is shared, its resources are not.
      throw new ApiException(
          ErrorCode.PROVISION_LIMIT_REACHED,
          "This network has used its anonymous provisions for today.",
          OptionalInt.of(Math.toIntExact(over.retryAfterSeconds())),
          null);
    }
    ProvisionCommand cmd =
        new ProvisionCommand(
            type,
            name,
            env,
            Tier.ANONYMOUS,
            Optional.empty(),
            Optional.of(caller.fingerprint()),
            RequestContext.id(ctx));
    ProvisionedResource made;
    try {
      made = provisioning.provision(cmd);
    } catch (ApiException e) {
      if (e.code().httpStatus() >= 500) {
        gate.refund((AnonymousGate.Admitted) decision);
      }
      throw e;
    }
    return new Reply(
        201,
        response(made, onboardingToken(caller, made, ctx.header(ClaimService.UPGRADE_HEADER))));
  }

  // The resource exists either way: a failure to mint the claim token must not fail the call.
  private Optional<ClaimService.Issued> onboardingToken(
      Caller.Anonymous caller, ProvisionedResource made, String upgradeHeader) {
    try {
      return Optional.of(
          claims.issueFor(
              caller.fingerprint(), made.record().token(), Optional.ofNullable(upgradeHeader)));
    } catch (RuntimeException e) {
      LOG.warn("claim.token_issue_failed error={}", e.toString());
      return Optional.empty();
    }
  }

  private static String scope(Caller caller) {
    return switch (caller) {
      case Caller.Member m -> "team:" + m.teamId();
      case Caller.Anonymous a -> "fp:" + a.fingerprint().value();
    };
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

  private ProvisionResponse response(
      ProvisionedResource made, Optional<ClaimService.Issued> onboarding) {
    Optional<String> onboardingJwt = onboarding.map(ClaimService.Issued::jwt);
    ResourceRecord r = made.record();
    Plan plan = plans.of(r.tier());
    Map<String, Object> limits = new LinkedHashMap<>();
    switch (r.type()) {
      case POSTGRES -> {
        limits.put("storage_mb", plan.postgres().storageMb());
        limits.put("connections", plan.postgres().connections());
      }
      case REDIS -> {
        limits.put("memory_mb", plan.redis().memoryMb());
        limits.put("connections", plan.redis().connections());
      }
    }
    Optional<String> note = Optional.empty();
    Optional<String> claimUrl =
        onboardingJwt.map(jwt -> settings.publicBaseUrl() + "/claim/preview?t=" + jwt);
    if (r.expiresAt().isPresent()) {
      String ttl = DurationText.format(settings.anonymousTtl());
      limits.put("expires_in", ttl);
      String keep =
          r.teamId().isPresent()
              ? " Free-tier resources expire; upgrade the team to keep it: " + settings.upgradeUrl()
              : claimUrl.map(u -> " Claim it to keep it: " + u).orElse(" Claim it to keep it.");
      note = Optional.of("Works for " + ttl + "." + keep);
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
        note,
        claimUrl,
        onboardingJwt,
        onboarding.flatMap(ClaimService.Issued::warning));
  }
}
