package dev.instanode.server;

import dev.instanode.api.ApiServer;
import dev.instanode.api.ApiSettings;
import dev.instanode.api.Routes;
import dev.instanode.api.audit.AuditHandler;
import dev.instanode.api.audit.AuditTrail;
import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.auth.RoleGate;
import dev.instanode.api.auth.SessionRevocations;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.broker.BrokerCatalog;
import dev.instanode.api.broker.BrokerHandler;
import dev.instanode.api.broker.BrokerMetrics;
import dev.instanode.api.broker.BrokerService;
import dev.instanode.api.claim.ClaimHandler;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.claim.OnboardingTokens;
import dev.instanode.api.dashboard.CsrfTokens;
import dev.instanode.api.dashboard.Dashboard;
import dev.instanode.api.dashboard.Views;
import dev.instanode.api.gate.AnonymousGate;
import dev.instanode.api.http.HttpMetrics;
import dev.instanode.api.http.Json;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.idempotency.Idempotency;
import dev.instanode.api.identity.IdentityHandler;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.mail.LogMailer;
import dev.instanode.api.mail.MailOutbox;
import dev.instanode.api.mail.Mailer;
import dev.instanode.api.mail.SmtpMailer;
import dev.instanode.api.mcp.McpEndpoint;
import dev.instanode.api.mcp.McpTools;
import dev.instanode.api.ops.ApiDocuments;
import dev.instanode.api.ops.OpsHandler;
import dev.instanode.api.ops.Readiness;
import dev.instanode.api.ops.ReadinessCheck;
import dev.instanode.api.plan.PlanChanges;
import dev.instanode.api.plan.PlanHandler;
import dev.instanode.api.provision.ProvisionHandler;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.provision.ResourceProvisioning;
import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.api.resources.LiveUsage;
import dev.instanode.api.resources.ResourceHandler;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.signin.DeviceCodes;
import dev.instanode.api.signin.DeviceFlow;
import dev.instanode.api.signin.DeviceHandler;
import dev.instanode.api.signin.EmailSignIn;
import dev.instanode.api.signin.SignInHandler;
import dev.instanode.api.stacks.StackAccess;
import dev.instanode.api.stacks.StackCreation;
import dev.instanode.api.stacks.StackHandler;
import dev.instanode.api.stacks.StackNeeds;
import dev.instanode.api.stacks.StackParts;
import dev.instanode.api.stacks.StackService;
import dev.instanode.api.storage.StorageHandler;
import dev.instanode.api.storage.StorageService;
import dev.instanode.api.team.InvitationService;
import dev.instanode.api.team.TeamHandler;
import dev.instanode.api.team.TeamService;
import dev.instanode.api.vault.VaultHandler;
import dev.instanode.api.vault.VaultService;
import dev.instanode.api.webhooks.WebhookHandler;
import dev.instanode.api.webhooks.WebhookService;
import dev.instanode.api.webhooks.WebhookStreams;
import dev.instanode.core.ResourceType;
import dev.instanode.core.auth.HmacJwt;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.InvitationRepository;
import dev.instanode.store.MagicLinkRepository;
import dev.instanode.store.OnboardingRepository;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.StackRepository;
import dev.instanode.store.VaultRepository;
import dev.instanode.store.WebhookRepository;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** The api role: the services behind every route, their handlers, and the HTTP server. */
final class ApiAssembly {
  private static final Logger LOG = LoggerFactory.getLogger(ApiAssembly.class);
  static final long MAX_BODY_BYTES = 1024 * 1024;

  private final Config config;
  private final Application.Options options;
  private final SharedParts shared;
  private final ProvisionerAccess access;
  private final Optional<StackAssembly.Parts> stacks;
  private final Owned owned;
  private final JsonMapper mapper = Json.mapper();
  private final JsonBodies bodies = new JsonBodies(mapper, MAX_BODY_BYTES);

  ApiAssembly(
      Config config,
      Application.Options options,
      SharedParts shared,
      ProvisionerAccess access,
      Optional<StackAssembly.Parts> stacks,
      Owned owned) {
    this.config = config;
    this.options = options;
    this.shared = shared;
    this.owned = owned;
    this.access = access;
    this.stacks = stacks;
  }

  /** Starts the HTTP server; the caller owns it through {@code owned}. */
  ApiServer start() {
    ApiSettings settings =
        new ApiSettings(
            config.publicBaseUrl(),
            config.upgradeUrl(),
            config.legacyApiKeyTtl(),
            config.anonymousTtl(),
            served(),
            MAX_BODY_BYTES,
            Version.current(),
            config.commitId(),
            config.metricsToken());
    PlatformRedis redis = owned.own(new PlatformRedis(config.redisUrl(), shared.meters()));
    Surfaces surfaces = handlers(settings, redis);
    ApiServer api =
        owned.own(
            new ApiServer(
                    mapper,
                    bodies,
                    new HttpMetrics(shared.meters()),
                    MAX_BODY_BYTES,
                    config.requestReadTimeout(),
                    surfaces.handlers(),
                    surfaces.mcp())
                .start(config.host(), config.port()));
    LOG.info("api.started host={} port={}", config.host(), api.port());
    return api;
  }

  /**
   * The provisioner's kinds, less storage when this process has no usable bucket (presigning
   * happens here, so a provisioner elsewhere with one does not make storage usable).
   */
  private Set<ResourceType> served() {
    Set<ResourceType> served = EnumSet.noneOf(ResourceType.class);
    served.addAll(access.services());
    if (shared.objects().isEmpty()) {
      served.remove(ResourceType.STORAGE);
    }
    return served;
  }

  /** The routes' handlers, and the MCP endpoint over the same services. */
  private record Surfaces(Routes.Handlers handlers, McpEndpoint mcp) {}

  private Surfaces handlers(ApiSettings settings, PlatformRedis redis) {
    ApiDocuments documents =
        ApiDocuments.of(shared.plans(), config.publicBaseUrl(), config.anonymousTtl());
    Optional<StorageService> storage =
        shared
            .objects()
            .map(store ->
                new StorageService(
                    new ResourceRepository(shared.db().jdbi()),
                    store,
                    shared.plans(),
                    redis,
                    options.clock(),
                    shared.meters()));
    Jdbi jdbi = shared.db().jdbi();
    Clock clock = options.clock();
    IdentityRepository identities = new IdentityRepository(jdbi);
    HmacJwt jwt = new HmacJwt(config.jwtSecret(), clock);
    SessionTokens sessions = new SessionTokens(jwt, config.publicBaseUrl());
    Optional<MailOutbox> mail = mailOutbox();
    IdentityService identity =
        new IdentityService(identities, shared.audit(), clock, config.legacyApiKeyTtl());
    ClientAddress addresses =
        new ClientAddress(config.trustedProxies(), config.trustedProxyHeader());
    SessionRevocations revocations = new SessionRevocations(redis, clock);
    Authenticator auth = new Authenticator(sessions, revocations, identities, addresses);
    OnboardingTokens onboarding = new OnboardingTokens(jwt);
    ClaimService claims =
        new ClaimService(
            jdbi,
            onboarding,
            new OnboardingRepository(jdbi),
            identities,
            new ResourceRepository(jdbi),
            new StackRepository(jdbi),
            sessions,
            shared.audit(),
            clock);
    AnonymousGate gate = new AnonymousGate(redis, shared.plans(), clock);
    EmailSignIn signIn =
        new EmailSignIn(
            identities,
            new MagicLinkRepository(jdbi),
            mail,
            redis,
            sessions,
            revocations,
            shared.audit(),
            shared.meters(),
            config.publicBaseUrl(),
            clock);
    VaultService vault =
        new VaultService(
            jdbi,
            new VaultRepository(jdbi),
            shared.plans(),
            shared.aes(),
            shared.audit(),
            config.upgradeUrl());
    ResourceProvisioning resourceProvisioning = resourceProvisioning();
    ProvisionService provisioning =
        provisionService(resourceProvisioning, settings, redis, identities, claims, gate);
    ResourceService resourceService = resourceService(storage);
    Optional<BrokerHandler> broker =
        config
            .broker()
            .map(brokerSettings -> {
              BrokerMetrics brokerMetrics = new BrokerMetrics(shared.meters());
              return new BrokerHandler(
                  new BrokerService(
                      jdbi,
                      brokerSettings,
                      new BrokerCatalog(
                          shared.plans(),
                          settings.enabledServices(),
                          config.publicBaseUrl(),
                          shared.db().installationId()),
                      config.publicBaseUrl(),
                      resourceProvisioning,
                      resourceService,
                      new ResourceRepository(jdbi),
                      access.provisioner(),
                      identities,
                      shared.aes(),
                      shared.audit(),
                      mapper,
                      brokerMetrics,
                      clock),
                  brokerSettings,
                  bodies,
                  mapper,
                  brokerMetrics);
            });
    Stacks stackServices = stackServices(settings, gate, claims, onboarding, vault);
    McpEndpoint mcp =
        owned.own(
            new McpEndpoint(
                new McpTools(
                    auth,
                    provisioning,
                    resourceService,
                    stackServices.creation(),
                    stackServices.service(),
                    mapper,
                    config.publicBaseUrl(),
                    shared.meters()),
                addresses,
                Version.current(),
                documents.openApi(),
                documents.llms()));
    TeamService team = new TeamService(jdbi, identities, shared.plans(), shared.audit(), mapper);
    InvitationService invitations =
        new InvitationService(
            jdbi,
            new InvitationRepository(jdbi),
            shared.plans(),
            shared.audit(),
            mail,
            sessions,
            config.publicBaseUrl(),
            config.upgradeUrl(),
            clock);
    WebhookService webhooks =
        new WebhookService(
            new ResourceRepository(jdbi),
            new WebhookRepository(jdbi),
            shared.plans(),
            redis,
            clock,
            shared.meters(),
            shared.audit(),
            shared.aes());
    Dashboard dashboard =
        Dashboard.create(
            new Dashboard.Services(
                auth,
                addresses,
                signIn,
                resourceService,
                provisioning,
                settings.enabledServices(),
                claims,
                identity,
                team,
                invitations,
                stackServices.service(),
                webhooks,
                config.publicBaseUrl(),
                new CsrfTokens(config.jwtSecret()),
                new Views(),
                mapper,
                config.publicBaseUrl().startsWith("https://"),
                clock));
    Routes.Handlers routes =
        new Routes.Handlers(
            new RoleGate(auth),
            ops(settings, redis, documents),
            new ProvisionHandler(provisioning, bodies, auth),
            new Routes.Accounts(
                new ClaimHandler(claims, bodies, dashboard.claim()),
                new IdentityHandler(auth, identity, bodies),
                new PlanHandler(
                    new PlanChanges(jdbi, shared.plans(), shared.audit()),
                    config.internalJwtSecret().map(secret -> new HmacJwt(secret, clock)),
                    bodies),
                new TeamHandler(auth, team, invitations, bodies),
                new SignInHandler(signIn, addresses, bodies),
                new DeviceHandler(
                    new DeviceFlow(
                        new DeviceCodes(redis, clock),
                        signIn,
                        identity,
                        identities,
                        config.publicBaseUrl()),
                    auth,
                    addresses,
                    bodies)),
            new ResourceHandler(resourceService, auth, bodies),
            new AuditHandler(
                auth,
                new AuditTrail(
                    shared.audit(), identities, shared.plans(), mapper, config.upgradeUrl())),
            new VaultHandler(auth, vault, bodies),
            new StackHandler(stackServices.creation(), stackServices.service(), bodies, auth),
            new WebhookHandler(
                webhooks,
                new WebhookStreams(new WebhookRepository(jdbi), mapper),
                auth,
                addresses,
                bodies),
            new StorageHandler(storage, auth, bodies),
            dashboard,
            broker);
    return new Surfaces(routes, mcp);
  }

  /** SMTP when it is set; else the log when asked (dev); else no mail, and mailing routes 503. */
  private Optional<MailOutbox> mailOutbox() {
    Optional<Mailer> mailer =
        config
            .smtp()
            .<Mailer>map(SmtpMailer::new)
            .or(() -> config.mailLog() ? Optional.of(new LogMailer()) : Optional.empty());
    return mailer.map(m -> owned.own(new MailOutbox(m, shared.meters())));
  }

  /** The stack services, shared by the stack routes and the MCP tools. */
  private record Stacks(StackCreation creation, StackService service) {}

  private Stacks stackServices(
      ApiSettings settings,
      AnonymousGate gate,
      ClaimService claims,
      OnboardingTokens onboarding,
      VaultService vault) {
    Jdbi jdbi = shared.db().jdbi();
    Optional<StackParts> parts =
        stacks.map(s ->
            new StackParts(
                s.cluster(), s.applier(), s.observer(), s.teardown(), config.stacks().domain()));
    return new Stacks(
        new StackCreation(
            parts,
            jdbi,
            new StackNeeds(
                new ResourceRepository(jdbi), shared.aes(), config.stacks().resourceHost()),
            vault,
            new IdentityRepository(jdbi),
            shared.aes(),
            shared.plans(),
            settings,
            gate,
            claims,
            shared.audit(),
            options.clock()),
        new StackService(
            parts,
            new StackRepository(jdbi),
            new StackAccess(onboarding),
            vault,
            shared.aes(),
            shared.audit()));
  }

  private OpsHandler ops(ApiSettings settings, PlatformRedis redis, ApiDocuments documents) {
    Readiness readiness =
        new Readiness(
            List.of(
                new ReadinessCheck("redis", false, redis::ping),
                new ReadinessCheck("platform_db", true, shared.db()::ping),
                access.ready()));
    // Read once: /healthz answers anyone and must not reach the database per call.
    return new OpsHandler(
        settings,
        readiness,
        shared.meters(),
        shared.plans(),
        shared.db().currentVersion(),
        documents,
        options.clock());
  }

  private ResourceProvisioning resourceProvisioning() {
    return new ResourceProvisioning(
        new ResourceRepository(shared.db().jdbi()),
        access.provisioner(),
        shared.aes(),
        shared.audit(),
        shared.plans(),
        options.clock(),
        config.anonymousTtl(),
        shared.meters(),
        options.recordHook(),
        dedicatedBackground());
  }

  private ProvisionService provisionService(
      ResourceProvisioning provisioning,
      ApiSettings settings,
      PlatformRedis redis,
      IdentityRepository identities,
      ClaimService claims,
      AnonymousGate gate) {
    return new ProvisionService(
        provisioning,
        bodies,
        mapper,
        shared.plans(),
        settings,
        gate,
        new Idempotency(redis, mapper, shared.aes()),
        identities,
        claims);
  }

  /**
   * Where dedicated servers started for async callers are waited for. Shutdown interrupts the
   * waits: each then tears its server down and fails its row, rather than holding the stop for
   * minutes; one still at it after 15 s leaves its row pending for provisioner_reconciler.
   */
  private Executor dedicatedBackground() {
    ExecutorService background =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dedicated-", 0).factory());
    owned.own(() -> {
      background.shutdownNow();
      // Each interrupted wait tears its server down through the cluster client, which closes
      // after this: give them the time to.
      if (!background.awaitTermination(15, TimeUnit.SECONDS)) {
        LOG.warn("provision.dedicated_shutdown_incomplete: provisioner_reconciler finishes them");
      }
    });
    return background;
  }

  private ResourceService resourceService(Optional<StorageService> storage) {
    Jdbi jdbi = shared.db().jdbi();
    return new ResourceService(
        jdbi,
        new ResourceRepository(jdbi),
        access.provisioner(),
        shared.aes(),
        shared.audit(),
        shared.plans(),
        options.recordHook(),
        config.upgradeUrl(),
        storage.<LiveUsage>map(s -> s::reading).orElse(LiveUsage.NONE));
  }
}
