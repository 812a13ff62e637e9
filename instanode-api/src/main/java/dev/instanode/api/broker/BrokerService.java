package dev.instanode.api.broker;

import dev.instanode.api.provision.ProvisionCommand;
import dev.instanode.api.provision.ResourceProvisioning;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.wire.BrokerBindingReply;
import dev.instanode.api.wire.BrokerCatalogReply;
import dev.instanode.api.wire.BrokerInstanceReply;
import dev.instanode.api.wire.BrokerLastOperationReply;
import dev.instanode.api.wire.BrokerOperationReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.BrokerRepository;
import dev.instanode.store.BrokerRepository.Instance;
import dev.instanode.store.BrokerRepository.State;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Service Broker API's rules over the same services the routes use: an instance is a
 * resource of the broker's team at the plan's tier, made from the pool (or, for a plan with servers
 * of their own, in the background for a platform that accepts an incomplete answer); a binding is a
 * login of its own on the resource, so unbinding one never disturbs another or the instance's own.
 *
 * <p>Repeats follow the spec: the same request again is 200 (201 the first time), another request
 * for a taken id is 409, and a deprovision or unbind of what does not exist is 410. A provision the
 * platform gave up on is deprovisioned by the platform (orphan mitigation); one this process never
 * finished recording is found by its name and dropped then.
 */
public final class BrokerService {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerService.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9-]{1,59}");
  private static final Set<String> PARAMETERS = Set.of("env");
  private static final String OWN_TEAM_NAME = "Open Service Broker";
  private static final Set<ResourceStatus> ENDED =
      Set.of(ResourceStatus.DELETED, ResourceStatus.EXPIRED, ResourceStatus.FAILED);

  /**
   * How long a provision may still be running before its resource is recorded (past the
   * provisioner's 4-minute deadline for a provision): an instance still recorded as provisioning
   * with no resource after it was left by a process that stopped, and a deprovision cleans it up.
   */
  static final Duration UNRECORDED_BOUND = Duration.ofMinutes(5);

  /** How long a broker call waits for an instance's row another call holds. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(3);

  private final Jdbi jdbi;
  private final BrokerSettings settings;
  private final BrokerCatalog catalog;
  private final ResourceProvisioning provisioning;
  private final ResourceService resources;
  private final ResourceRepository resourceRows;
  private final BindingMaker bindings;
  private final IdentityRepository identities;
  private final AesGcm aes;
  private final AuditLog audit;
  private final JsonMapper mapper;
  private final BrokerMetrics metrics;
  private final Clock clock;

  public BrokerService(
      Jdbi jdbi,
      BrokerSettings settings,
      BrokerCatalog catalog,
      String publicBaseUrl,
      ResourceProvisioning provisioning,
      ResourceService resources,
      ResourceRepository resourceRows,
      Provisioner provisioner,
      IdentityRepository identities,
      AesGcm aes,
      AuditLog audit,
      JsonMapper mapper,
      BrokerMetrics metrics,
      Clock clock) {
    this.jdbi = jdbi;
    this.settings = settings;
    this.catalog = catalog;
    this.provisioning = provisioning;
    this.resources = resources;
    this.resourceRows = resourceRows;
    this.bindings = new BindingMaker(provisioner, publicBaseUrl);
    this.identities = identities;
    this.aes = aes;
    this.audit = audit;
    this.mapper = mapper;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** What a broker call answers: its status and body. */
  public record Answer(int status, Object body) {}

  public BrokerCatalogReply catalog() {
    return catalog.catalog(team().tier());
  }

  /** {@code PUT /v2/service_instances/{instance_id}}. */
  public Answer provision(
      String instanceId,
      BrokerRequest.Provision request,
      boolean acceptsIncomplete,
      Optional<OriginatingIdentity> origin,
      RequestId requestId) {
    BrokerTeam team = team();
    BrokerCatalog.Choice choice =
        catalog
            .resolve(request.serviceId(), request.planId(), team.tier())
            .orElseThrow(() ->
                BrokerException.badRequest(
                    "service_id and plan_id must name a service and one of its plans in"
                        + " GET /v2/catalog."));
    Map<String, String> parameters = parameters(request.parameters());
    String name = resourceName(instanceId);
    String env = parameters.getOrDefault("env", team.defaultEnv());
    boolean ownServer = provisioning.placesOnOwnServer(choice.type(), choice.tier());
    if (ownServer && !acceptsIncomplete) {
      throw BrokerException.asyncRequired(
          "This plan gives the instance a server of its own, which takes minutes: send"
              + " accepts_incomplete=true and poll last_operation.");
    }
    String digest = request.digest(mapper);
    boolean inserted =
        jdbi.inTransaction(h ->
            BrokerRepository.insertProvisioning(
                h,
                instanceId,
                team.id(),
                request.serviceId(),
                request.planId(),
                digest,
                name,
                ownServer));
    if (!inserted) {
      return repeatedProvision(instanceId, digest);
    }
    ProvisionCommand cmd =
        new ProvisionCommand(
            choice.type(),
            name,
            env,
            choice.tier(),
            Optional.of(team.id()),
            Optional.empty(),
            requestId);
    Map<String, Object> auditDetails = details(instanceId, Optional.empty(), origin);
    auditDetails.put("plan", choice.tier().wireName());
    ResourceRecord made;
    try {
      made = ownServer ? provisioning.startDedicated(cmd) : provisioning.provision(cmd).record();
    } catch (RuntimeException e) {
      // Nothing was made (the provisioning path tears down what it started): the id is free
      // again for the platform's retry.
      jdbi.useTransaction(h -> BrokerRepository.delete(h, instanceId));
      throw e instanceof ApiException refusal ? provisionRefused(refusal) : e;
    }
    // Should this fail, the row stays "provisioning" with no resource; the platform's deprovision
    // then finds the resource by its name and drops it. A row no longer provisioning was
    // deprovisioned while this ran: what was made goes too, and no success is reported.
    boolean recorded =
        jdbi.inTransaction(h ->
            BrokerRepository.recordResource(
                h, instanceId, made.token(), ownServer ? State.PROVISIONING : State.SUCCEEDED));
    if (!recorded) {
      dropResource(team.id(), made.token(), requestId);
      throw BrokerException.conflict(
          "The instance was deprovisioned while it was being provisioned; nothing is kept.");
    }
    record(
        team.id(),
        AuditKind.BROKER_PROVISIONED,
        ownServer ? "Instance provisioning" : "Instance provisioned",
        made,
        auditDetails,
        requestId);
    return ownServer
        ? new Answer(202, new BrokerOperationReply(Operations.PROVISION))
        : new Answer(201, BrokerOperationReply.DONE);
  }

  private Answer repeatedProvision(String instanceId, String digest) {
    Instance existing =
        jdbi.withHandle(h -> BrokerRepository.find(h, instanceId))
            .orElseThrow(() ->
                BrokerException.concurrency("This instance id is being deprovisioned; retry."));
    if (!existing.requestDigest().equals(digest)) {
      throw BrokerException.conflict("This instance id exists with other attributes.");
    }
    return switch (existing.state()) {
      case SUCCEEDED -> new Answer(200, BrokerOperationReply.DONE);
      case PROVISIONING ->
          existing.async()
              ? new Answer(202, new BrokerOperationReply(Operations.PROVISION))
              : throwing(
                  BrokerException.concurrency(
                      "The same provision is still running; retry in a few seconds."));
      case FAILED ->
          throw BrokerException.conflict(
              "This instance failed to provision; deprovision it before using the id again.");
      case DELETING -> throw BrokerException.concurrency("This instance is being deprovisioned.");
    };
  }

  /**
   * {@code GET /v2/service_instances/{instance_id}}: its service and plan, once made; 404 while it
   * is being provisioned or deprovisioned, as for an id that was never provisioned.
   */
  public BrokerInstanceReply instance(String instanceId) {
    Instance instance =
        jdbi.withHandle(h -> BrokerRepository.find(h, instanceId))
            .filter(i -> i.state() == State.SUCCEEDED || i.state() == State.FAILED)
            .orElseThrow(() -> BrokerException.notFound("No such instance (or not made yet)."));
    return new BrokerInstanceReply(instance.serviceId(), instance.planId());
  }

  /**
   * {@code GET /v2/service_instances/{instance_id}/service_bindings/{binding_id}}: the binding's
   * credentials, the same its bind answered; 404 for a binding of no such instance.
   */
  public BrokerBindingReply binding(String instanceId, String bindingId) {
    return jdbi.withHandle(h -> BrokerRepository.findBinding(h, bindingId))
        .filter(b -> b.instanceId().equals(instanceId))
        .map(b -> credentials(b.sealed()))
        .orElseThrow(() -> BrokerException.notFound("No such binding of this instance."));
  }

  /** {@code GET /v2/service_instances/{instance_id}/last_operation}. */
  public BrokerLastOperationReply lastOperation(String instanceId) {
    Instance instance =
        jdbi.withHandle(h -> BrokerRepository.find(h, instanceId))
            .orElseThrow(() -> BrokerException.gone("No such instance."));
    return switch (instance.state()) {
      case SUCCEEDED -> new BrokerLastOperationReply("succeeded", "The instance is ready.");
      case FAILED -> failedOperation();
      case DELETING -> new BrokerLastOperationReply("in progress", "Deprovisioning.");
      case PROVISIONING -> provisioningProgress(instance);
    };
  }

  private BrokerLastOperationReply provisioningProgress(Instance instance) {
    Optional<ResourceStatus> status =
        instance.resourceToken().flatMap(resourceRows::findByToken).map(ResourceRecord::status);
    if (status.isEmpty() || status.get() == ResourceStatus.PENDING) {
      return new BrokerLastOperationReply("in progress", "Starting the instance's server.");
    }
    State reached = status.get() == ResourceStatus.ACTIVE ? State.SUCCEEDED : State.FAILED;
    locked(h -> {
      if (BrokerRepository.lock(h, instance.instanceId())
          .filter(i -> i.state() == State.PROVISIONING)
          .isPresent()) {
        BrokerRepository.setState(h, instance.instanceId(), reached);
      }
      return null;
    });
    return reached == State.SUCCEEDED
        ? new BrokerLastOperationReply("succeeded", "The instance is ready.")
        : failedOperation();
  }

  private static BrokerLastOperationReply failedOperation() {
    return new BrokerLastOperationReply(
        "failed", "The instance's server could not be started; deprovision it and try again.");
  }

  /** {@code DELETE /v2/service_instances/{instance_id}}: the resource and every binding go. */
  public Answer deprovision(
      String instanceId,
      BrokerRequest.Target target,
      Optional<OriginatingIdentity> origin,
      RequestId requestId) {
    Instance instance =
        locked(h -> {
          Instance found =
              BrokerRepository.lock(h, instanceId)
                  .orElseThrow(() -> BrokerException.gone("No such instance."));
          requireSameTarget(found, target);
          if (found.state() == State.PROVISIONING && stillProvisioning(found)) {
            throw BrokerException.concurrency(
                "The instance is still being provisioned; deprovision it once last_operation"
                    + " says it is done.");
          }
          BrokerRepository.setState(h, instanceId, State.DELETING);
          return found;
        });
    Optional<ResourceToken> token =
        instance.resourceToken().or(() -> jdbi.withHandle(h -> unrecordedResource(h, instance)));
    int bindings = jdbi.withHandle(h -> BrokerRepository.bindingCount(h, instanceId));
    // The resource's drop takes every binding with it: logins on the infrastructure, and keys.
    token.ifPresent(t -> dropResource(instance.teamId(), t, requestId));
    jdbi.useTransaction(h -> BrokerRepository.delete(h, instanceId));
    Map<String, Object> auditDetails = details(instanceId, Optional.empty(), origin);
    auditDetails.put("bindings_dropped", bindings);
    audit.record(
        new AuditEvent(
            Optional.of(instance.teamId()),
            AuditEvent.Actor.SYSTEM,
            AuditKind.BROKER_DEPROVISIONED,
            Optional.empty(),
            token.flatMap(resourceRows::findByToken).map(ResourceRecord::id),
            "Instance deprovisioned",
            auditDetails,
            Optional.of(requestId.value())));
    return new Answer(200, BrokerOperationReply.DONE);
  }

  /**
   * A live resource of the team with the instance's name that no instance records: what a provision
   * left behind when it stopped between making the resource and recording it.
   */
  private static Optional<ResourceToken> unrecordedResource(Handle h, Instance instance) {
    List<ResourceToken> candidates =
        ResourceRepository.liveNamedSince(
                h, instance.teamId(), instance.resourceName(), instance.createdAt())
            .stream()
            .filter(token -> !BrokerRepository.recordsResource(h, token))
            .toList();
    if (candidates.size() > 1) {
      // Never drop on a guess: which one was this instance's is for a person to decide.
      LOG.error(
          "broker.unrecorded_resource_ambiguous instance={} name={} candidates={}",
          Masking.token(instance.instanceId()),
          instance.resourceName(),
          candidates.size());
      throw BrokerException.failed(
          "More than one resource could be this instance's; an operator must resolve it.", null);
    }
    return candidates.stream().findFirst();
  }

  /**
   * True while a provision of the instance may still be running: its server is still starting, or
   * its resource is not recorded yet and the bound has not passed.
   */
  private boolean stillProvisioning(Instance instance) {
    Optional<ResourceToken> token = instance.resourceToken();
    if (token.isPresent()) {
      return instance.async()
          && resourceRows
              .findByToken(token.get())
              .map(r -> r.status() == ResourceStatus.PENDING)
              .orElse(false);
    }
    return instance.createdAt().plus(UNRECORDED_BOUND).isAfter(clock.instant());
  }

  private void dropResource(TeamId team, ResourceToken token, RequestId requestId) {
    try {
      resources.delete(team, token, requestId);
    } catch (ApiException e) {
      switch (e.code()) {
        case NOT_FOUND -> {
          // Gone already (deleted by a member, or never made): nothing to drop.
        }
        case RESOURCE_PENDING, RESOURCE_BUSY ->
            throw BrokerException.concurrency(e.getMessage() + " Retry the deprovision.");
        default ->
            throw BrokerException.failed(
                "The instance could not be dropped yet; retry the deprovision.", e);
      }
    }
  }

  /** {@code PUT /v2/service_instances/{instance_id}/service_bindings/{binding_id}}. */
  public Answer bind(
      String instanceId,
      String bindingId,
      BrokerRequest.Bind request,
      Optional<OriginatingIdentity> origin,
      RequestId requestId) {
    if (!request.parameters().isEmpty()) {
      throw BrokerException.badRequest("Bindings take no parameters.");
    }
    String digest = request.digest(instanceId, mapper);
    record Made(Answer answer, Optional<ResourceRecord> resource) {}
    Made made;
    try {
      made =
          locked(h -> {
            Instance instance =
                BrokerRepository.lock(h, instanceId)
                    .orElseThrow(() ->
                        BrokerException.unprocessable("The service instance does not exist."));
            Optional<BrokerRepository.Binding> existing =
                BrokerRepository.findBinding(h, bindingId);
            if (existing.isPresent()
                && (!existing.get().instanceId().equals(instanceId)
                    || !existing.get().requestDigest().equals(digest))) {
              throw BrokerException.conflict("This binding id exists with other attributes.");
            }
            requireSameTarget(instance, request.target());
            ResourceRecord resource = liveResource(instance);
            if (existing.isPresent()) {
              // The same bind again: its credentials, while the instance still serves them.
              return new Made(
                  new Answer(200, credentials(existing.get().sealed())), Optional.empty());
            }
            Map<String, Object> credentials = bindings.make(h, resource, bindingId, requestId);
            BrokerRepository.insertBinding(
                h,
                bindingId,
                instanceId,
                digest,
                aes.encrypt(mapper.writeValueAsString(credentials)));
            return new Made(
                new Answer(201, new BrokerBindingReply(credentials)), Optional.of(resource));
          });
    } catch (ProvisionerException e) {
      metrics.binding("create", "error");
      forgetLogin(instanceId, bindingId, requestId);
      throw provisionerFailure("The binding could not be made; retry.", e);
    }
    made.resource()
        .ifPresent(resource -> {
          metrics.binding("create", "ok");
          record(
              resource.teamId().orElseThrow(),
              AuditKind.BROKER_BOUND,
              "Instance bound",
              resource,
              details(instanceId, Optional.of(bindingId), origin),
              requestId);
        });
    return made.answer();
  }

  /** {@code DELETE /v2/service_instances/{instance_id}/service_bindings/{binding_id}}. */
  public Answer unbind(
      String instanceId,
      String bindingId,
      BrokerRequest.Target target,
      Optional<OriginatingIdentity> origin,
      RequestId requestId) {
    record Dropped(ResourceRecord resource) {}
    Optional<Dropped> dropped;
    try {
      dropped =
          locked(h -> {
            Instance instance =
                BrokerRepository.lock(h, instanceId)
                    .orElseThrow(() -> BrokerException.gone("No such instance or binding."));
            requireSameTarget(instance, target);
            Optional<BrokerRepository.Binding> binding =
                BrokerRepository.findBinding(h, bindingId)
                    .filter(b -> b.instanceId().equals(instanceId));
            // A resource that ended took its logins with it; any other still holds them.
            Optional<ResourceRecord> resource =
                instance
                    .resourceToken()
                    .flatMap(resourceRows::findByToken)
                    .filter(r -> !ENDED.contains(r.status()));
            // A bind that failed or timed out may have made its login before its row: the
            // platform's unbind is the orphan mitigation that drops it.
            if (resource.isPresent()) {
              bindings.end(h, resource.get(), bindingId, requestId);
            }
            if (binding.isEmpty()) {
              return Optional.<Dropped>empty();
            }
            BrokerRepository.deleteBinding(h, bindingId);
            return resource.map(Dropped::new);
          });
    } catch (ProvisionerException e) {
      metrics.binding("drop", "error");
      throw provisionerFailure("The binding could not be dropped yet; retry the unbind.", e);
    }
    if (dropped.isEmpty()) {
      throw BrokerException.gone("No such binding.");
    }
    metrics.binding("drop", "ok");
    ResourceRecord resource = dropped.get().resource();
    record(
        resource.teamId().orElseThrow(),
        AuditKind.BROKER_UNBOUND,
        "Instance unbound",
        resource,
        details(instanceId, Optional.of(bindingId), origin),
        requestId);
    return new Answer(200, BrokerOperationReply.DONE);
  }

  /**
   * A transaction that waits at most {@link #LOCK_WAIT} for a row another call holds (a bind or
   * deprovision of the same instance), then tells the platform to retry.
   */
  private <T> T locked(HandleCallback<T, RuntimeException> work) {
    try {
      return jdbi.inTransaction(h -> {
        LockTimeouts.setLocal(h, LOCK_WAIT);
        return work.withHandle(h);
      });
    } catch (JdbiException e) {
      if (LockTimeouts.isTimeout(e)) {
        throw BrokerException.concurrency("Another operation holds this instance; retry.");
      }
      throw e;
    }
  }

  /** Drops a login a failed bind may have left; the platform's unbind retries it otherwise. */
  private void forgetLogin(String instanceId, String bindingId, RequestId requestId) {
    try {
      jdbi.withHandle(h -> BrokerRepository.find(h, instanceId))
          .flatMap(Instance::resourceToken)
          .flatMap(resourceRows::findByToken)
          .ifPresent(r -> bindings.forget(r, bindingId, requestId));
    } catch (RuntimeException e) {
      LOG.warn(
          "broker.bind_cleanup_failed instance={} error={}",
          Masking.token(instanceId),
          Masking.scrubUrls(e.toString()));
    }
  }

  private ResourceRecord liveResource(Instance instance) {
    switch (instance.state()) {
      case SUCCEEDED -> {}
      case PROVISIONING, DELETING ->
          throw BrokerException.concurrency("The instance is being provisioned or deprovisioned.");
      case FAILED -> throw BrokerException.unprocessable("The instance failed to provision.");
    }
    return instance
        .resourceToken()
        .flatMap(resourceRows::findByToken)
        .filter(r -> r.status() == ResourceStatus.ACTIVE)
        .orElseThrow(() ->
            BrokerException.unprocessable(
                "The instance's resource is no longer live (deleted or expired); deprovision it."));
  }

  private BrokerBindingReply credentials(String sealed) {
    return new BrokerBindingReply(
        mapper.readValue(
            aes.decrypt(sealed), new TypeReference<LinkedHashMap<String, Object>>() {}));
  }

  private static void requireSameTarget(Instance instance, BrokerRequest.Target target) {
    if (!instance.serviceId().equals(target.serviceId())
        || !instance.planId().equals(target.planId())) {
      throw BrokerException.badRequest("service_id and plan_id do not match the instance's.");
    }
  }

  private static Map<String, String> parameters(Map<String, Object> given) {
    Map<String, String> accepted = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : given.entrySet()) {
      if (!PARAMETERS.contains(e.getKey()) || !(e.getValue() instanceof String value)) {
        throw BrokerException.badRequest(
            "Unknown parameter '" + e.getKey() + "': the one parameter is env (a string).");
      }
      accepted.put(e.getKey(), value);
    }
    if (accepted.containsKey("env") && !ResourceNames.isValidEnv(accepted.get("env"))) {
      throw BrokerException.badRequest("env must be 1-32 lowercase letters, digits or '-'.");
    }
    return accepted;
  }

  /**
   * {@code osb-<instance id>} (or a digest of an id that is no name): one name per instance, which
   * is how an unrecorded resource is found again (see deprovision).
   */
  private static String resourceName(String instanceId) {
    return SAFE_ID.matcher(instanceId).matches()
        ? "osb-" + instanceId
        : "osb-" + BindingKey.ofBindingId(instanceId).value();
  }

  private BrokerException provisionRefused(ApiException e) {
    return switch (e.code()) {
      case PROVISIONER_UNAVAILABLE, SERVICE_DISABLED ->
          BrokerException.unavailable(e.getMessage(), e);
      default -> {
        if (e.code().httpStatus() < 500) {
          yield BrokerException.unprocessable(e.getMessage());
        }
        yield BrokerException.failed(e.getMessage(), e);
      }
    };
  }

  private static BrokerException provisionerFailure(String description, ProvisionerException e) {
    return switch (e.kind()) {
      case UNAVAILABLE, CIRCUIT_OPEN -> BrokerException.unavailable(description, e);
      case INVALID_ARGUMENT ->
          BrokerException.unprocessable("The instance cannot be bound: " + e.getMessage());
      default -> BrokerException.failed(description, e);
    };
  }

  private static Map<String, Object> details(
      String instanceId, Optional<String> bindingId, Optional<OriginatingIdentity> origin) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("instance_id", instanceId);
    bindingId.ifPresent(id -> details.put("binding_id", id));
    origin.ifPresent(o -> details.put("originating_identity", o.asAudit()));
    return details;
  }

  private void record(
      TeamId team,
      AuditKind kind,
      String summary,
      ResourceRecord resource,
      Map<String, Object> details,
      RequestId requestId) {
    audit.record(
        new AuditEvent(
            Optional.of(team),
            AuditEvent.Actor.SYSTEM,
            kind,
            Optional.of(resource.type().wireName()),
            Optional.of(resource.id()),
            summary,
            details,
            Optional.of(requestId.value())));
  }

  private static <T> T throwing(BrokerException e) {
    throw e;
  }

  /** The team instances go to, with what the catalog and new resources need of it. */
  private record BrokerTeam(TeamId id, Tier tier, String defaultEnv) {}

  private BrokerTeam team() {
    TeamId id = settings.team().orElseGet(this::ownTeam);
    IdentityRepository.TeamProfile profile =
        identities
            .teamProfile(id)
            .filter(t -> t.status().equals("active"))
            .orElseThrow(() ->
                BrokerException.unavailable(
                    "The broker's team (OSB_TEAM_ID) does not exist or is being deleted.", null));
    return new BrokerTeam(id, profile.planTier(), profile.defaultEnv());
  }

  /** The broker's own team on the top tier, made once, under a table lock against a race. */
  private TeamId ownTeam() {
    Optional<TeamId> known = jdbi.withHandle(BrokerRepository::ownTeam);
    if (known.isPresent()) {
      return known.get();
    }
    return jdbi.inTransaction(h -> {
      h.execute("LOCK TABLE broker_team IN EXCLUSIVE MODE");
      Optional<TeamId> raced = BrokerRepository.ownTeam(h);
      if (raced.isPresent()) {
        return raced.get();
      }
      TeamId made = identities.createTeam(h, OWN_TEAM_NAME, Tier.TEAM).id();
      BrokerRepository.recordOwnTeam(h, made);
      LOG.info("broker.team_created team={}", made.value());
      return made;
    });
  }

  /** Operation names {@code last_operation} is asked about. */
  static final class Operations {
    static final String PROVISION = "provision";

    private Operations() {}
  }
}
