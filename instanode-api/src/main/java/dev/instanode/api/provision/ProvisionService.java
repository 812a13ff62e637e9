package dev.instanode.api.provision;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.gate.AnonymousGate;
import dev.instanode.api.http.ErrorMapper;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.idempotency.Idempotency;
import dev.instanode.api.wire.ProvisionAcceptedReply;
import dev.instanode.api.wire.ProvisionReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.DurationText;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.ResourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one way in to provisioning, whatever carries the request (HTTP today; MCP, the CLI and the
 * broker API are to call the same): replay or run under the Idempotency-Key, validate, pass the
 * anonymous gate, provision, issue the claim token, and answer with the typed reply serialised
 * once, so a replay answers byte for byte what the first call did.
 */
public final class ProvisionService {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionService.class);
  private final ResourceProvisioning provisioning;
  private final JsonBodies bodies;
  private final JsonMapper mapper;
  private final Plans plans;
  private final ApiSettings settings;
  private final AnonymousGate gate;
  private final Idempotency idempotency;
  private final IdentityRepository identities;
  private final ClaimService claims;

  public ProvisionService(
      ResourceProvisioning provisioning,
      JsonBodies bodies,
      JsonMapper mapper,
      Plans plans,
      ApiSettings settings,
      AnonymousGate gate,
      Idempotency idempotency,
      IdentityRepository identities,
      ClaimService claims) {
    this.provisioning = provisioning;
    this.bodies = bodies;
    this.mapper = mapper;
    this.plans = plans;
    this.settings = settings;
    this.gate = gate;
    this.idempotency = idempotency;
    this.identities = identities;
    this.claims = claims;
  }

  /**
   * One provision request as it arrived.
   *
   * @param body the request body as sent (it is parsed here, after any replay)
   * @param contentType as declared; JSON or none
   * @param query the raw query, part of what the Idempotency-Key stands for
   * @param envParameter {@code ?env=}, which wins over the body's {@code env}
   * @param upgradeToken earlier {@code upgrade_jwt}s the caller sends back, comma-separated
   */
  public record Request(
      ResourceType type,
      Caller caller,
      byte[] body,
      String contentType,
      Optional<String> query,
      Optional<String> envParameter,
      Optional<String> idempotencyKey,
      Optional<String> upgradeToken,
      Optional<String> prefer,
      RequestId requestId) {
    /** RFC 7240: {@code Prefer: respond-async}, among any other preferences. */
    boolean respondAsync() {
      return prefer
          .map(p ->
              Arrays.stream(p.split(","))
                  .map(part -> part.split(";", 2)[0].trim())
                  .anyMatch("respond-async"::equalsIgnoreCase))
          .orElse(false);
    }
  }

  /**
   * The answer and the JSON it is written as. The JSON is serialised once and stored under the
   * Idempotency-Key as it is, so a replay answers byte for byte what the first call did.
   */
  public sealed interface Reply {
    int status();

    String json();
  }

  /** A new resource: 201 with {@code body}. */
  public record Created(ProvisionReply body, String json) implements Reply {
    @Override
    public int status() {
      return 201;
    }
  }

  /** A dedicated server being made for an async caller: 202, no URL yet. */
  public record Accepted(ProvisionAcceptedReply body, String json) implements Reply {
    @Override
    public int status() {
      return 202;
    }
  }

  /** An earlier answer to the same Idempotency-Key and body, success or refusal, as stored. */
  public record Replayed(int status, String json) implements Reply {}

  /**
   * @throws ApiException for every refusal (its envelope is also stored under the key)
   */
  public Reply provision(Request request) {
    ResourceType type = request.type();
    requireEnabled(type);
    Caller caller = request.caller();
    byte[] raw = request.body();
    // ?env= changes the request as much as the body does.
    byte[] identity =
        request
            .query()
            .map(q -> q + "\n")
            .orElse("")
            .concat(new String(raw, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    Idempotency.Start start =
        idempotency.begin(
            scope(caller),
            type.wireName(),
            request.idempotencyKey().orElse(null),
            identity,
            caller instanceof Caller.Anonymous ? Idempotency.MIN_ANONYMOUS_KEY : 1);
    if (start instanceof Idempotency.Replay replay) {
      return new Replayed(replay.status(), replay.body());
    }
    Idempotency.Proceed proceed = (Idempotency.Proceed) start;
    Object made;
    try {
      made = handle(request);
    } catch (ApiException e) {
      idempotency.complete(
          proceed,
          e.code().httpStatus(),
          mapper.writeValueAsString(ErrorMapper.envelope(request.requestId(), e)));
      throw e;
    } catch (RuntimeException e) {
      idempotency.abandon(proceed);
      throw e;
    }
    Reply answer =
        switch (made) {
          case ProvisionAcceptedReply accepted ->
              new Accepted(accepted, mapper.writeValueAsString(accepted));
          case ProvisionReply created -> new Created(created, mapper.writeValueAsString(created));
          default -> throw new IllegalStateException("unexpected reply " + made.getClass());
        };
    idempotency.complete(proceed, answer.status(), answer.json());
    return answer;
  }

  /**
   * Refuses a kind this instanode does not serve. A transport may ask before it authenticates, so a
   * disabled service answers the same to every caller.
   */
  public void requireEnabled(ResourceType type) {
    if (!settings.enabledServices().contains(type)) {
      // Storage and queues are off until their server is configured: say how to turn them on.
      throw switch (type) {
        case STORAGE ->
            new ApiException(
                ErrorCode.STORAGE_UNAVAILABLE, "Object storage is off on this instanode.");
        case QUEUE ->
            new ApiException(ErrorCode.QUEUE_UNAVAILABLE, "Queues are off on this instanode.");
        default ->
            new ApiException(
                ErrorCode.SERVICE_DISABLED,
                "The " + type.wireName() + " service is not enabled on this instanode.");
      };
    }
  }

  /** A {@link ProvisionReply}, or a {@link ProvisionAcceptedReply} for an async dedicated one. */
  private Object handle(Request request) {
    ObjectNode body = bodies.parseObject(request.contentType(), request.body());
    String name = requireName(body.get("name"));
    Optional<String> asked = env(body.get("env"), request.envParameter().orElse(null));
    ResourceType type = request.type();
    return switch (request.caller()) {
      case Caller.Anonymous anonymous ->
          anonymous(request, anonymous, name, asked.orElse(ResourceNames.DEFAULT_ENV));
      case Caller.Member member -> {
        IdentityRepository.TeamProfile team =
            identities
                .teamProfile(member.teamId())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team is gone."));
        Tier tier = team.planTier();
        // A member who names no env gets the team's default (PATCH /api/v1/team).
        String env = asked.orElse(team.defaultEnv());
        ProvisionCommand cmd =
            new ProvisionCommand(
                type,
                name,
                env,
                tier,
                Optional.of(member.teamId()),
                Optional.of(member.fingerprint()),
                request.requestId());
        yield forTeam(cmd, request.respondAsync());
      }
    };
  }

  /**
   * On a plan with dedicated servers, each resource gets its own (waited for, or in the background
   * for an async caller); where the provisioner has no cluster for the type, it goes on the shared
   * backend and the reply says so.
   */
  private Object forTeam(ProvisionCommand cmd, boolean respondAsync) {
    if (!plans.of(cmd.tier()).dedicated()) {
      return response(provisioning.provision(cmd), Optional.empty(), Optional.empty());
    }
    if (!provisioning.dedicatedAvailable(cmd.type())) {
      return response(
          provisioning.provision(cmd),
          Optional.empty(),
          Optional.of(
              new Placement(
                  "shared",
                  "Your plan gives each resource its own server, but this instanode has no"
                      + " Kubernetes cluster for one: this "
                      + cmd.type().wireName()
                      + " is on the shared backend.")));
    }
    if (respondAsync) {
      ResourceRecord pending = provisioning.startDedicated(cmd);
      String resourceUrl = settings.publicBaseUrl() + "/api/v1/resources/" + pending.token();
      return new ProvisionAcceptedReply(
          true,
          pending.id().toString(),
          pending.token().toString(),
          pending.name(),
          pending.type().wireName(),
          pending.status().wireName(),
          pending.tier().wireName(),
          pending.env(),
          "dedicated",
          resourceUrl,
          resourceUrl + "/credentials",
          "Starting its own server. Poll poll_url until status is active (or failed), then read"
              + " the connection URL at credentials_url.");
    }
    return response(
        provisioning.provisionDedicated(cmd),
        Optional.empty(),
        Optional.of(new Placement("dedicated", null)));
  }

  /** Where a dedicated plan's resource went, and the note that says why when it is not there. */
  private record Placement(String backend, String note) {}

  private ProvisionReply anonymous(
      Request request, Caller.Anonymous caller, String name, String env) {
    ResourceType type = request.type();
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
            request.requestId());
    ProvisionedResource made;
    try {
      made = provisioning.provision(cmd);
    } catch (ApiException e) {
      if (e.code().httpStatus() >= 500) {
        gate.refund((AnonymousGate.Admitted) decision);
      }
      throw e;
    }
    return response(
        made, onboardingToken(caller, made, request.upgradeToken().orElse(null)), Optional.empty());
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

  // ?env= wins over the body, as in the original clients. Empty when neither names one.
  private static Optional<String> env(JsonNode bodyEnv, String queryEnv) {
    Object raw =
        queryEnv != null
            ? queryEnv
            : bodyEnv == null || bodyEnv.isNull()
                ? null
                : bodyEnv.isString() ? bodyEnv.asString() : bodyEnv;
    if (raw == null) {
      return Optional.empty();
    }
    if (!(raw instanceof String s) || !ResourceNames.isValidEnv(s)) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
    return Optional.of(s);
  }

  private ProvisionReply response(
      ProvisionedResource made,
      Optional<ClaimService.Issued> onboarding,
      Optional<Placement> placement) {
    Optional<String> onboardingJwt = onboarding.map(ClaimService.Issued::jwt);
    ResourceRecord r = made.record();
    Optional<String> claimUrl =
        onboardingJwt.map(jwt -> settings.publicBaseUrl() + "/claim/preview?t=" + jwt);
    Optional<String> ttl = r.expiresAt().map(at -> DurationText.format(settings.anonymousTtl()));
    Optional<String> note =
        ttl.map(
                t -> {
                  String keep =
                      r.teamId().isPresent()
                          ? " Free-tier resources expire; upgrade the team to keep it: "
                              + settings.upgradeUrl()
                          : claimUrl
                              .map(u -> " Claim it to keep it: " + u)
                              .orElse(" Claim it to keep it.");
                  return "Works for " + t + "." + keep;
                })
            .or(() -> placement.map(Placement::note).filter(n -> n != null));
    return new ProvisionReply(
        true,
        r.id().toString(),
        r.token().toString(),
        r.name(),
        r.type().wireName(),
        made.connectionUrl(),
        r.type() == ResourceType.WEBHOOK ? Optional.of(made.connectionUrl()) : Optional.empty(),
        r.type() == ResourceType.STORAGE
            ? Optional.of(settings.publicBaseUrl() + "/storage/" + r.token() + "/presign")
            : Optional.empty(),
        r.tier().wireName(),
        r.env(),
        r.expiresAt(),
        limits(
            plans.limits(r.tier(), r.type()),
            ResourceKinds.of(r.type()).size(),
            ResourceKinds.of(r.type()).connectionCap(),
            ttl),
        r.keyPrefix(),
        note,
        claimUrl,
        onboardingJwt,
        onboarding.flatMap(ClaimService.Issued::warning),
        placement.map(Placement::backend));
  }

  private static ProvisionReply.Limits limits(
      ResourceKind.Limits limits,
      ResourceKind.Size size,
      ResourceKind.ConnectionCap connectionCap,
      Optional<String> expiresIn) {
    Optional<Long> figure = Optional.of(limits.sizeMb());
    return new ProvisionReply.Limits(
        size == ResourceKind.Size.STORAGE ? figure : Optional.empty(),
        size == ResourceKind.Size.MEMORY ? figure : Optional.empty(),
        size == ResourceKind.Size.REQUESTS ? figure : Optional.empty(),
        connectionCap == ResourceKind.ConnectionCap.NONE
            ? Optional.empty()
            : Optional.of(limits.connections()),
        expiresIn);
  }
}
