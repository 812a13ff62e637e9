package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.api.ApiSettings;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.gate.AnonymousGate;
import dev.instanode.api.vault.VaultService;
import dev.instanode.api.wire.StackCreatedReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DurationText;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Limit;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.ManifestException;
import dev.instanode.core.stack.StackManifest;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /stacks/new}: check the manifest and what its services need, pass the anonymous gate
 * or the team's cap, record the stack, answer 202 and apply it after. Nothing is counted or
 * recorded for a manifest that is refused.
 */
public final class StackCreation {
  private static final Logger LOG = LoggerFactory.getLogger(StackCreation.class);

  /** An anonymous stack's life: shorter than a resource's, it runs containers. */
  public static final Duration ANONYMOUS_TTL = Duration.ofHours(6);

  private static final int SLUG_ATTEMPTS = 3;

  private final Optional<StackParts> parts;
  private final Jdbi jdbi;
  private final StackNeeds needs;
  private final VaultService vault;
  private final IdentityRepository identities;
  private final AesGcm aes;
  private final Plans plans;
  private final ApiSettings settings;
  private final AnonymousGate gate;
  private final ClaimService claims;
  private final AuditLog audit;
  private final Clock clock;

  public StackCreation(
      Optional<StackParts> parts,
      Jdbi jdbi,
      StackNeeds needs,
      VaultService vault,
      IdentityRepository identities,
      AesGcm aes,
      Plans plans,
      ApiSettings settings,
      AnonymousGate gate,
      ClaimService claims,
      AuditLog audit,
      Clock clock) {
    this.parts = requireNonNull(parts, "parts is null");
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.needs = requireNonNull(needs, "needs is null");
    this.vault = requireNonNull(vault, "vault is null");
    this.identities = requireNonNull(identities, "identities is null");
    this.aes = requireNonNull(aes, "aes is null");
    this.plans = requireNonNull(plans, "plans is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.gate = requireNonNull(gate, "gate is null");
    this.claims = requireNonNull(claims, "claims is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * A create request as it arrived.
   *
   * @param manifest the manifest's text (YAML or JSON), or already parsed from a JSON body
   * @param env the stack's env label; empty means the default
   * @param upgradeHeader earlier {@code upgrade_jwt}s the caller sends back, comma-separated
   */
  public record Create(
      Caller caller,
      Optional<String> name,
      Optional<String> env,
      Manifest manifest,
      Optional<String> upgradeHeader,
      RequestId requestId) {}

  /** The manifest as the transport carried it. */
  public sealed interface Manifest {
    record Text(String text) implements Manifest {}

    record Json(JsonNode node) implements Manifest {}

    record Missing() implements Manifest {}
  }

  public StackCreatedReply create(Create request) {
    StackParts p = StackService.required(parts);
    String name = name(request.name());
    StackManifest manifest = manifest(request.manifest());
    Caller caller = request.caller();
    // A member who names no env gets the team's default (PATCH /api/v1/team).
    String env =
        env(request.env())
            .orElseGet(() ->
                caller instanceof Caller.Member m
                    ? identities
                        .teamProfile(m.teamId())
                        .map(IdentityRepository.TeamProfile::defaultEnv)
                        .orElse(ResourceNames.DEFAULT_ENV)
                    : ResourceNames.DEFAULT_ENV);
    Set<ResourceToken> received =
        caller instanceof Caller.Anonymous ? claims.received(request.upgradeHeader()) : Set.of();
    List<StackRepository.NewService> services =
        manifest.services().stream()
            .map(s -> {
              // What the needs inject, under what the manifest sets itself.
              Map<String, String> serviceEnv =
                  new LinkedHashMap<>(needs.envFor(caller, s, received));
              serviceEnv.putAll(s.env());
              return new StackRepository.NewService(
                  s.name(), s.image(), s.port(), s.expose(), serviceEnv);
            })
            .toList();
    // vault:// references are checked now, and read again at every apply.
    vault.checkRefs(caller, env, services.stream().map(StackRepository.NewService::env).toList());
    StackRecord row =
        switch (caller) {
          case Caller.Anonymous a -> anonymous(a, name, env, services);
          case Caller.Member m -> forTeam(m, name, env, services);
        };
    audit.record(
        StackService.stackEvent(
            row.team(),
            AuditKind.STACK_CREATED,
            row.slug(),
            "Stack " + row.slug() + " created with " + services.size() + " service(s)",
            Map.of("services", services.size(), "tier", row.tier().wireName()),
            request.requestId()));
    p.applier().applyLater(row);
    LOG.info(
        "stack.created slug={} services={} tier={} cluster={} request_id={}",
        row.slug(),
        services.size(),
        row.tier().wireName(),
        p.clusterName(),
        request.requestId());
    Optional<ClaimService.Issued> onboarding =
        caller instanceof Caller.Anonymous a
            ? onboardingToken(
                a,
                row.slug(),
                manifest.services().stream().flatMap(s -> s.needs().stream()).distinct().toList(),
                request.upgradeHeader())
            : Optional.empty();
    return reply(p, row, onboarding);
  }

  private StackRecord anonymous(
      Caller.Anonymous caller, String name, String env, List<StackRepository.NewService> services) {
    AnonymousGate.Decision decision = gate.admit(caller.fingerprint());
    if (decision instanceof AnonymousGate.OverLimit over) {
      throw new ApiException(
          ErrorCode.PROVISION_LIMIT_REACHED,
          "This network has used its anonymous provisions for today; stacks count too.",
          OptionalInt.of(Math.toIntExact(over.retryAfterSeconds())),
          null);
    }
    try {
      return withFreshSlug(slug ->
          jdbi.inTransaction(h ->
              StackRepository.insert(
                  h,
                  new StackRepository.NewStack(
                      slug,
                      Optional.empty(),
                      Optional.of(caller.fingerprint().value()),
                      name,
                      env,
                      Tier.ANONYMOUS,
                      Optional.of(
                          clock.instant().plus(ANONYMOUS_TTL).truncatedTo(ChronoUnit.SECONDS)),
                      services),
                  aes)));
    } catch (RuntimeException e) {
      gate.refund((AnonymousGate.Admitted) decision);
      throw e;
    }
  }

  private StackRecord forTeam(
      Caller.Member caller, String name, String env, List<StackRepository.NewService> services) {
    TeamId team = caller.teamId();
    try {
      return countedInsert(team, name, env, services);
    } catch (RuntimeException e) {
      if (LockTimeouts.isTimeout(e)) {
        // A plan change holds the team's row: load, not a fault.
        throw new ApiException(ErrorCode.RESOURCE_BUSY, "The team is being changed; retry.", e);
      }
      throw e;
    }
  }

  private StackRecord countedInsert(
      TeamId team, String name, String env, List<StackRepository.NewService> services) {
    return withFreshSlug(slug ->
        jdbi.inTransaction(h -> {
          // The team's row lock: two creations cannot both count the last free place.
          Tier tier =
              IdentityRepository.lockPlan(h, team)
                  .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team is gone."));
          long apps = plans.of(tier).stacks().apps();
          int running = StackRepository.countCounted(h, team);
          if (!Limit.isUnlimited(apps) && running >= apps) {
            throw ApiException.withUpgradeUrl(
                ErrorCode.DEPLOYMENT_LIMIT_REACHED,
                "The "
                    + tier.wireName()
                    + " plan runs "
                    + apps
                    + " stack(s) and the team has "
                    + running
                    + "; delete one or upgrade.",
                settings.upgradeUrl());
          }
          return StackRepository.insert(
              h,
              new StackRepository.NewStack(
                  slug,
                  Optional.of(team),
                  Optional.empty(),
                  name,
                  env,
                  tier,
                  Optional.empty(),
                  services),
              aes);
        }));
  }

  /** Runs {@code insert} with a new random slug, again on the rare collision with an old one. */
  private static StackRecord withFreshSlug(Function<StackSlug, StackRecord> insert) {
    for (int attempt = 1; ; attempt++) {
      try {
        return insert.apply(StackSlug.random());
      } catch (UnableToExecuteStatementException e) {
        boolean collision =
            e.getMessage() != null
                && (e.getMessage().contains("stacks_slug_key")
                    || e.getMessage().contains("stacks_namespace_key"));
        if (!collision || attempt == SLUG_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  // The stack exists either way: a failure to mint the claim token must not fail the call.
  private Optional<ClaimService.Issued> onboardingToken(
      Caller.Anonymous caller,
      StackSlug slug,
      List<ResourceToken> needs,
      Optional<String> upgradeHeader) {
    try {
      return Optional.of(claims.issueForStack(caller.fingerprint(), slug, needs, upgradeHeader));
    } catch (RuntimeException e) {
      LOG.warn("claim.token_issue_failed stack={} error={}", slug, e.toString());
      return Optional.empty();
    }
  }

  private StackCreatedReply reply(
      StackParts p, StackRecord row, Optional<ClaimService.Issued> onboarding) {
    Optional<String> jwt = onboarding.map(ClaimService.Issued::jwt);
    Optional<String> claimUrl = jwt.map(t -> settings.publicBaseUrl() + "/claim/preview?t=" + t);
    Optional<String> expiresIn = row.expiresAt().map(at -> DurationText.format(ANONYMOUS_TTL));
    StringBuilder note =
        new StringBuilder("Deploying; GET /stacks/" + row.slug() + " shows its live status.");
    if (p.cluster().simulated()) {
      note.append(
          " This cluster is simulated: its objects are stored and its lifecycle runs, but no"
              + " container runs, so it never reports healthy.");
    }
    expiresIn.ifPresent(t ->
        note.append(" Works for ")
            .append(t)
            .append(
                claimUrl.map(u -> ". Claim it to keep it: " + u).orElse(". Claim it to keep it.")));
    return new StackCreatedReply(
        true,
        row.slug(),
        StackStatus.DEPLOYING.wireName(),
        row.tier().wireName(),
        row.env(),
        expiresIn,
        p.clusterName(),
        note.toString(),
        claimUrl,
        jwt,
        onboarding.flatMap(ClaimService.Issued::warning));
  }

  private static String name(Optional<String> raw) {
    String name =
        raw.filter(n -> !n.isEmpty())
            .orElseThrow(() ->
                new ApiException(ErrorCode.NAME_REQUIRED, "A \"name\" for the stack is required."));
    if (!ResourceNames.isValidName(name)) {
      throw new ApiException(
          ErrorCode.INVALID_NAME,
          "The name must be 1-64 characters of letters, digits, spaces, '_' or '-', starting"
              + " with a letter or digit.");
    }
    return name;
  }

  private static Optional<String> env(Optional<String> raw) {
    Optional<String> env = raw.filter(e -> !e.isEmpty());
    if (env.isPresent() && !ResourceNames.isValidEnv(env.get())) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
    return env;
  }

  private static StackManifest manifest(Manifest raw) {
    try {
      return switch (raw) {
        case Manifest.Text t -> StackManifest.parse(t.text());
        case Manifest.Json j -> StackManifest.of(j.node());
        case Manifest.Missing m ->
            throw new ManifestException(
                ManifestException.Code.INVALID_MANIFEST,
                "manifest",
                "required: a multipart field \"manifest\" (instant.yaml) or a JSON \"manifest\"");
      };
    } catch (ManifestException e) {
      ErrorCode code =
          switch (e.code()) {
            case INVALID_MANIFEST -> ErrorCode.INVALID_MANIFEST;
            case INVALID_ENV_KEY -> ErrorCode.INVALID_ENV_KEY;
            case BUILD_NOT_SUPPORTED -> ErrorCode.BUILD_NOT_SUPPORTED;
          };
      throw new ApiException(code, e.getMessage());
    }
  }
}
