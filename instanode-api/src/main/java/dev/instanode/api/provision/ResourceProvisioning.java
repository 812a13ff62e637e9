package dev.instanode.api.provision;

import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.Limit;
import dev.instanode.core.Masking;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.NewResource;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous, honest provisioning. A hot-pool item is claimed first; its pool row tracks the
 * infrastructure, so the resource is recorded {@code active} in one insert. Otherwise it is live:
 * insert {@code pending} → provision → encrypt and store → {@code active}. Any failure tears down
 * what was made, leaves no {@code active} row, and hands out no credentials.
 */
public final class ResourceProvisioning {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceProvisioning.class);
  static final String STEP_POOL_CLAIMED = "pool.claimed";
  static final String STEP_INSERT_ACTIVE = "resource.insert_active";
  static final String STEP_INSERT_PENDING = "resource.insert_pending";
  static final String STEP_ACTIVATE = "resource.activate";

  private final ResourceRepository resources;
  private final Provisioner provisioner;
  private final AesGcm aes;
  private final AuditLog audit;
  private final Plans plans;
  private final Clock clock;
  private final Duration anonymousTtl;
  private final MeterRegistry meters;
  private final ProvisionStepHook hook;
  private final Executor background;

  /**
   * @param background where a dedicated server started for an async caller ({@link
   *     #startDedicated}) is waited for; closed at shutdown, which fails what is still waiting
   */
  public ResourceProvisioning(
      ResourceRepository resources,
      Provisioner provisioner,
      AesGcm aes,
      AuditLog audit,
      Plans plans,
      Clock clock,
      Duration anonymousTtl,
      MeterRegistry meters,
      ProvisionStepHook hook,
      Executor background) {
    this.resources = resources;
    this.provisioner = provisioner;
    this.aes = aes;
    this.audit = audit;
    this.plans = plans;
    this.clock = clock;
    this.anonymousTtl = anonymousTtl;
    this.meters = meters;
    this.hook = hook;
    this.background = background;
  }

  /**
   * True when the provisioner can give {@code type} its own server now.
   *
   * @throws ApiException {@code provisioner_unavailable} when it cannot be asked
   */
  public boolean dedicatedAvailable(ResourceType type) {
    try {
      return provisioner.dedicatedTypes().contains(type);
    } catch (RuntimeException e) {
      throw new ApiException(
          ErrorCode.PROVISIONER_UNAVAILABLE,
          "The provisioner did not answer; nothing was created.",
          e);
    }
  }

  /**
   * True when a resource of {@code type} at {@code tier} gets a server of its own: the plan says so
   * and the provisioner has a cluster for the type (otherwise it goes on the shared backend).
   *
   * @throws ApiException {@code provisioner_unavailable} when the provisioner cannot be asked
   */
  public boolean placesOnOwnServer(ResourceType type, Tier tier) {
    return plans.of(tier).dedicated() && dedicatedAvailable(type);
  }

  /**
   * The resource on its own server, owned by the command's team: {@code pending} → the server
   * starts and the tenant's credentials are proved → {@code active}. Returns only then; past the
   * provisioner's deadline everything is torn down, the row is {@code failed}, and this throws.
   */
  public ProvisionedResource provisionDedicated(ProvisionCommand cmd) {
    Timer.Sample timer = Timer.start(meters);
    try {
      ResourceRecord row = insertPending(cmd);
      hook.afterStep(STEP_INSERT_PENDING, row.token());
      return finishLive(row, cmd, cmd.teamId());
    } finally {
      stopTimer(timer, cmd, "dedicated");
    }
  }

  /**
   * As {@link #provisionDedicated}, but returns the {@code pending} row at once; the row turns
   * {@code active} or {@code failed} in the background. A process that dies meanwhile leaves the
   * row {@code pending}; the worker's stale-pending pass tears its server down.
   */
  public ResourceRecord startDedicated(ProvisionCommand cmd) {
    ResourceRecord row = insertPending(cmd);
    hook.afterStep(STEP_INSERT_PENDING, row.token());
    Timer.Sample timer = Timer.start(meters);
    background.execute(() -> {
      try {
        finishLive(row, cmd, cmd.teamId());
      } catch (ApiException e) {
        // Recorded already: the row is failed, the audit says why.
      } catch (RuntimeException e) {
        LOG.error(
            "provision.dedicated_background_failed token={} error={}",
            row.token().masked(),
            Masking.scrubUrls(e.toString()));
      } finally {
        stopTimer(timer, cmd, "dedicated");
      }
    });
    return row;
  }

  private void stopTimer(Timer.Sample timer, ProvisionCommand cmd, String source) {
    timer.stop(
        Timer.builder("instant_provision_duration_seconds")
            .description("Time to provision a resource, including failures")
            .tag("service", cmd.type().wireName())
            .tag("tier", cmd.tier().wireName())
            .tag("source", source)
            .publishPercentileHistogram()
            .register(meters));
  }

  public ProvisionedResource provision(ProvisionCommand cmd) {
    Timer.Sample timer = Timer.start(meters);
    String source = "pool";
    try {
      Optional<ProvisionedResource> pooled = fromPool(cmd);
      if (pooled.isPresent()) {
        return pooled.get();
      }
      source = "live";
      return live(cmd);
    } finally {
      stopTimer(timer, cmd, source);
    }
  }

  private Optional<ProvisionedResource> fromPool(ProvisionCommand cmd) {
    NewResource wanted = newResource(cmd, ResourceToken.random());
    Optional<ProvisionResult> claimed;
    try {
      claimed =
          provisioner.claimPooled(
              new ProvisionRequest(wanted.token(), cmd.type(), cmd.tier(), cmd.requestId()));
    } catch (RuntimeException e) {
      // The pool is a shortcut: go live, under another token in case the claim did bind an item
      // to this one (the orphan pass then finds that item with no resource).
      LOG.warn(
          "provision.pool_claim_failed service={} error={}",
          cmd.type().wireName(),
          Masking.scrubUrls(e.toString()));
      return Optional.empty();
    }
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    ProvisionResult made = claimed.get();
    hook.afterStep(STEP_POOL_CLAIMED, wanted.token());
    ResourceRecord row;
    try {
      row =
          resources.insertActive(
              wanted,
              aes.encrypt(made.connectionUrl()),
              made.providerResourceId(),
              made.keyPrefix(),
              Optional.of(Math.toIntExact(made.appliedConnLimit())));
    } catch (RuntimeException e) {
      // Nothing records this resource: drop it rather than leak it or hand it out. The insert
      // may have committed before its error arrived, so fail any row it left.
      tearDown(wanted.token(), made.providerResourceId(), cmd);
      fail(
          wanted.token(),
          Optional.empty(),
          Optional.of(made.providerResourceId()),
          "persistence",
          e,
          cmd);
      throw new ApiException(
          ErrorCode.PROVISION_FAILED,
          "Provisioning " + cmd.type().wireName() + " failed; nothing was created.",
          e);
    }
    hook.afterStep(STEP_INSERT_ACTIVE, row.token());
    return Optional.of(succeeded(cmd, row, made, false));
  }

  private ProvisionedResource live(ProvisionCommand cmd) {
    ResourceRecord row = insertPending(cmd);
    hook.afterStep(STEP_INSERT_PENDING, row.token());
    return finishLive(row, cmd, Optional.empty());
  }

  /** Provisions for a pending row and records the outcome: {@code active}, or {@code failed}. */
  private ProvisionedResource finishLive(
      ResourceRecord row, ProvisionCommand cmd, Optional<TeamId> dedicatedFor) {
    String service = cmd.type().wireName();
    ProvisionResult made;
    try {
      made =
          provisioner.provision(
              new ProvisionRequest(
                  row.token(), cmd.type(), cmd.tier(), cmd.requestId(), dedicatedFor));
    } catch (ProvisionerException e) {
      fail(row, Optional.empty(), "backend_" + e.kind().name().toLowerCase(Locale.ROOT), e, cmd);
      if (e.kind() == ProvisionerException.Kind.CIRCUIT_OPEN) {
        throw new ApiException(
            ErrorCode.PROVISIONER_UNAVAILABLE,
            "The " + service + " backend is failing and paused for a moment; nothing was created.",
            e);
      }
      throw new ApiException(
          ErrorCode.PROVISION_FAILED,
          "Provisioning " + service + " failed; nothing was created.",
          e);
    }
    Optional<ResourceRecord> activated;
    RuntimeException persistenceError = null;
    try {
      activated =
          resources.activate(
              row.id(),
              aes.encrypt(made.connectionUrl()),
              made.providerResourceId(),
              made.keyPrefix(),
              Optional.of(Math.toIntExact(made.appliedConnLimit())));
    } catch (RuntimeException e) {
      activated = Optional.empty();
      persistenceError = e;
    }
    if (activated.isEmpty()) {
      // The infrastructure exists but we could not record it: drop it rather than leak it.
      tearDown(row.token(), made.providerResourceId(), cmd);
      fail(row, Optional.of(made.providerResourceId()), "persistence", persistenceError, cmd);
      throw new ApiException(
          ErrorCode.PROVISION_FAILED,
          "Provisioning " + service + " failed; nothing was created.",
          persistenceError);
    }
    hook.afterStep(STEP_ACTIVATE, row.token());
    return succeeded(cmd, activated.get(), made, dedicatedFor.isPresent());
  }

  private ProvisionedResource succeeded(
      ProvisionCommand cmd, ResourceRecord row, ProvisionResult made, boolean dedicated) {
    String service = cmd.type().wireName();
    Counter.builder("instant_provisions_total")
        .description("Resources provisioned")
        .tag("service", service)
        .tag("tier", cmd.tier().wireName())
        .register(meters)
        .increment();
    audit.record(
        event(
            cmd,
            Optional.of(row.id()),
            AuditKind.PROVISION,
            "Provisioned " + service + " '" + cmd.name() + "'",
            Map.of(
                "tier",
                cmd.tier().wireName(),
                "env",
                cmd.env(),
                "backend",
                dedicated ? "dedicated" : "shared")));
    LOG.info(
        "provision.ok service={} token={} tier={} backend={}",
        service,
        row.token().masked(),
        cmd.tier().wireName(),
        dedicated ? "dedicated" : "shared");
    return new ProvisionedResource(row, made.connectionUrl());
  }

  private NewResource newResource(ProvisionCommand cmd, ResourceToken token) {
    // One rule for every expiring plan (anonymous, free), whoever made the resource.
    Optional<Instant> expiresAt =
        plans.of(cmd.tier()).expires()
            ? Optional.of(clock.instant().plus(anonymousTtl).truncatedTo(ChronoUnit.SECONDS))
            : Optional.empty();
    return new NewResource(
        token,
        cmd.teamId(),
        cmd.type(),
        cmd.name(),
        cmd.env(),
        cmd.tier(),
        cmd.fingerprint().map(Fingerprint::value),
        expiresAt,
        cmd.requestId());
  }

  /**
   * The pending row; for a kind a team may hold only so many of (queues), counted and inserted
   * under the team's row lock.
   */
  private ResourceRecord insertPending(ProvisionCommand cmd) {
    Optional<ResourceKind.TeamCap> cap =
        ResourceKinds.of(cmd.type()).teamCap().filter(c -> cmd.teamId().isPresent());
    long limit = cap.map(c -> c.limit().apply(plans.of(cmd.tier()))).orElse(Limit.UNLIMITED);
    try {
      if (Limit.isUnlimited(limit)) {
        return resources.insertPending(newResource(cmd, ResourceToken.random()));
      }
      return resources
          .insertPendingWithin(newResource(cmd, ResourceToken.random()), limit)
          .orElseThrow(() ->
              new ApiException(
                  cap.get().refusal(),
                  "The "
                      + cmd.tier().wireName()
                      + " plan holds "
                      + limit
                      + " "
                      + cmd.type().wireName()
                      + "(s) at once; delete one or upgrade."));
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      countFailure(cmd, "platform_db");
      throw new ApiException(
          ErrorCode.PROVISION_FAILED, "Could not record the new resource; nothing was created.", e);
    }
  }

  private void tearDown(
      ResourceToken token, ProviderResourceId providerResourceId, ProvisionCommand cmd) {
    try {
      provisioner.deprovision(
          new DeprovisionRequest(
              token, cmd.type(), providerResourceId, "provision_rollback", cmd.requestId()));
    } catch (RuntimeException e) {
      LOG.error(
          "provision.teardown_failed token={} prid={} error={}",
          token.masked(),
          providerResourceId.masked(),
          Masking.scrubUrls(e.toString()));
    }
  }

  private void fail(
      ResourceRecord row,
      Optional<ProviderResourceId> providerResourceId,
      String reason,
      Throwable cause,
      ProvisionCommand cmd) {
    fail(row.token(), Optional.of(row.id()), providerResourceId, reason, cause, cmd);
  }

  private void fail(
      ResourceToken token,
      Optional<ResourceId> resource,
      Optional<ProviderResourceId> providerResourceId,
      String reason,
      Throwable cause,
      ProvisionCommand cmd) {
    try {
      resources.markFailed(token, providerResourceId);
    } catch (RuntimeException e) {
      LOG.error("provision.mark_failed_failed token={} error={}", token.masked(), e.toString());
    }
    countFailure(cmd, reason);
    String message = cause == null ? reason : Masking.scrubUrls(cause.getMessage());
    String detail = message == null ? "" : message;
    audit.record(
        event(
            cmd,
            resource,
            AuditKind.PROVISION_FAILED,
            "Provisioning " + cmd.type().wireName() + " failed",
            Map.of("reason", reason, "detail", detail)));
    LOG.warn(
        "provision.failed service={} token={} reason={} detail={}",
        cmd.type().wireName(),
        token.masked(),
        reason,
        detail);
  }

  private void countFailure(ProvisionCommand cmd, String reason) {
    Counter.builder("instant_provision_failures_total")
        .description("Provisions that failed, by reason")
        .tag("service", cmd.type().wireName())
        .tag("error_reason", reason)
        .register(meters)
        .increment();
  }

  private static AuditEvent event(
      ProvisionCommand cmd,
      Optional<ResourceId> resource,
      AuditKind kind,
      String summary,
      Map<String, Object> metadata) {
    return new AuditEvent(
        cmd.teamId(),
        cmd.teamId().isPresent() ? AuditEvent.Actor.USER : AuditEvent.Actor.AGENT,
        kind,
        Optional.of(cmd.type().wireName()),
        resource,
        summary,
        metadata,
        Optional.of(cmd.requestId().value()));
  }
}
