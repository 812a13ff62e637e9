package dev.instanode.provisioner.engine;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Masking;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.BindingResult;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.LimitsResult;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.dedicated.DedicatedBackend;
import dev.instanode.provisioner.dedicated.DedicatedIds;
import dev.instanode.provisioner.pool.HotPool;
import io.micrometer.core.instrument.Counter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process provisioner: hands out hot-pool items and provisions live; routes every call to
 * its backend through that backend's circuit breaker, and every drop through the chokepoint. Later
 * calls on a pooled resource target its pool token.
 */
public final class LocalProvisioner implements Provisioner {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProvisioner.class);
  static final String BINDINGS_METRIC = "instant_bindings_total";
  static final String UNBIND = "unbind";

  private final Map<ResourceType, ResourceBackend> backends;
  private final Map<ResourceType, DedicatedBackend> dedicated;
  private final DeprovisionChokepoint chokepoint;
  private final Breakers breakers;
  private final Optional<HotPool> pool;

  /**
   * @param dedicated the backends that give a resource its own server, one per type at most; a
   *     resource whose id names a dedicated server is always routed to its type's
   */
  public LocalProvisioner(
      List<ResourceBackend> backends,
      List<DedicatedBackend> dedicated,
      DeprovisionChokepoint chokepoint,
      Breakers breakers,
      Optional<HotPool> pool) {
    this.backends = new EnumMap<>(ResourceType.class);
    backends.forEach(b -> this.backends.put(b.type(), b));
    this.dedicated = new EnumMap<>(ResourceType.class);
    dedicated.forEach(b -> this.dedicated.put(b.type(), b));
    this.chokepoint = chokepoint;
    this.breakers = breakers;
    this.pool = pool;
  }

  public LocalProvisioner(
      List<ResourceBackend> backends,
      DeprovisionChokepoint chokepoint,
      Breakers breakers,
      Optional<HotPool> pool) {
    this(backends, List.of(), chokepoint, breakers, pool);
  }

  public LocalProvisioner(
      List<ResourceBackend> backends, DeprovisionChokepoint chokepoint, Breakers breakers) {
    this(backends, List.of(), chokepoint, breakers, Optional.empty());
  }

  @Override
  public Set<ResourceType> dedicatedTypes() {
    return Set.copyOf(dedicated.keySet());
  }

  @Override
  public Optional<ProvisionResult> claimPooled(ProvisionRequest request) {
    backendFor(request.type()); // a type with no backend is INVALID_ARGUMENT here too
    return pool.flatMap(
        p -> p.claim(request.type(), request.token(), request.tier(), request.requestId()));
  }

  @Override
  public ProvisionResult provision(ProvisionRequest request) {
    if (request.dedicatedFor().isPresent()) {
      return provisionDedicated(request);
    }
    ResourceBackend backend = backendFor(request.type());
    InfraKey key = request.token();
    try {
      return breakers
          .of(backend)
          .call(() -> backend.provision(key, request.tier(), request.requestId()));
    } catch (PartialProvisionException e) {
      rollback(backend, key, e.providerResourceId(), request);
      throw e.failure();
    }
  }

  private ProvisionResult provisionDedicated(ProvisionRequest request) {
    DedicatedBackend backend = dedicated.get(request.type());
    if (backend == null) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT,
          "no dedicated backend configured for " + request.type().wireName(),
          null);
    }
    try {
      // Not through the breaker: a server that misses its deadline says nothing of the cluster,
      // and five of them must not stop every regrade, rotation and drop of the running ones.
      ProvisionResult made =
          backend.provision(
              request.token(),
              request.tier(),
              request.dedicatedFor().orElseThrow(),
              request.requestId());
      LOG.info(
          "provisioner.dedicated_ready type={} token={} request_id={}",
          request.type().wireName(),
          request.token().masked(),
          request.requestId());
      return made;
    } catch (PartialProvisionException e) {
      // A wait interrupted at shutdown still tears down: the cluster client refuses to block on
      // an interrupted thread, so the flag is set aside for the rollback and then restored.
      boolean interrupted = Thread.interrupted();
      try {
        rollback(backend, request.token(), e.providerResourceId(), request);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      throw e.failure();
    }
  }

  // A failed provision must leave nothing behind; the rollback is itself an audited drop.
  private void rollback(
      ResourceBackend backend, InfraKey key, ProviderResourceId prid, ProvisionRequest request) {
    try {
      chokepoint.rollback(backend, key, prid, request.requestId());
    } catch (RuntimeException e) {
      LOG.error(
          "provisioner.rollback_failed token={} prid={} request_id={} error={}",
          key.masked(),
          prid.masked(),
          request.requestId(),
          Masking.scrubUrls(e.toString()));
    }
  }

  /**
   * Drops the infrastructure; a pooled resource's tracking row goes after it, never before. A
   * resource whose provision never reported where it went (a pending row left by a crash) may have
   * a dedicated server being made for it too, so that is dropped as well.
   */
  @Override
  public void deprovision(DeprovisionRequest request) {
    DedicatedBackend own = dedicated.get(request.type());
    ProvisionerException ownFailure = null;
    if (own != null && request.providerResourceId().isEmpty()) {
      // Both drops run whatever the other did; a failure of either fails the call after both.
      try {
        chokepoint.drop(
            own,
            request.token(),
            request.providerResourceId(),
            request.reason(),
            request.requestId());
      } catch (ProvisionerException e) {
        ownFailure = e;
      }
    }
    dropWhereRecorded(request);
    if (ownFailure != null) {
      throw ownFailure;
    }
  }

  private void dropWhereRecorded(DeprovisionRequest request) {
    chokepoint.drop(
        backendFor(request.type(), request.providerResourceId()),
        request.providerResourceId().namingKey(request.token()),
        request.providerResourceId(),
        request.reason(),
        request.requestId());
    request
        .providerResourceId()
        .pool()
        .ifPresent(poolToken -> pool.ifPresent(p -> p.forgetDropped(poolToken, request.token())));
  }

  @Override
  public RegradeResult regrade(RegradeRequest request) {
    ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
    InfraKey naming = request.providerResourceId().namingKey(request.token());
    return breakers
        .of(backend)
        .call(() -> backend.regrade(naming, request.providerResourceId(), request.tier()));
  }

  @Override
  public long storageBytes(StorageRequest request) {
    ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
    InfraKey naming = request.providerResourceId().namingKey(request.token());
    return breakers
        .of(backend)
        .call(() -> backend.storageBytes(naming, request.providerResourceId()));
  }

  @Override
  public RotateResult rotateCredentials(RotateRequest request) {
    ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
    InfraKey naming = request.providerResourceId().namingKey(request.token());
    String url =
        breakers
            .of(backend)
            .call(() -> backend.rotateCredentials(naming, request.providerResourceId()));
    LOG.info(
        "provisioner.credentials_rotated type={} token={} naming={} request_id={}",
        request.type().wireName(),
        Masking.token(request.token().toString()),
        naming.masked(),
        request.requestId());
    return new RotateResult(url);
  }

  /**
   * The binding's login on the resource's backend (a pooled resource's names carry its pool token);
   * a retried bind renews its password. Never logs the URL.
   */
  @Override
  public BindingResult createBinding(BindingRequest request) {
    return counted(
        request.type(),
        "create",
        () -> {
          ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
          InfraKey naming = request.providerResourceId().namingKey(request.token());
          BindingLogin login =
              DeprovisionChokepoint.bindingLogin(naming, request.bindingKey()); // fits 63 bytes
          String url =
              breakers
                  .of(backend)
                  .call(() ->
                      backend.createBinding(
                          naming, request.providerResourceId(), request.bindingKey()));
          LOG.info(
              "provisioner.binding_created type={} token={} login={} request_id={}",
              request.type().wireName(),
              request.token().masked(),
              login.masked(),
              request.requestId());
          return new BindingResult(url);
        });
  }

  /** Through the chokepoint, so every binding drop is guarded and audited like any other drop. */
  @Override
  public void dropBinding(BindingRequest request) {
    counted(
        request.type(),
        "drop",
        () -> {
          ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
          InfraKey naming = request.providerResourceId().namingKey(request.token());
          chokepoint.dropBinding(
              backend,
              naming,
              request.providerResourceId(),
              request.bindingKey(),
              UNBIND,
              request.requestId());
          LOG.info(
              "provisioner.binding_dropped type={} token={} login={} request_id={}",
              request.type().wireName(),
              request.token().masked(),
              BindingLogin.of(naming, request.bindingKey()).masked(),
              request.requestId());
          return null;
        });
  }

  // Labels are bounded: a resource type, two operations, two outcomes.
  private <T> T counted(ResourceType type, String operation, Supplier<T> call) {
    String outcome = "error";
    try {
      T result = call.get();
      outcome = "ok";
      return result;
    } finally {
      Counter.builder(BINDINGS_METRIC)
          .description("Binding logins made and dropped, by outcome")
          .tag("service", type.wireName())
          .tag("operation", operation)
          .tag("outcome", outcome)
          .register(chokepoint.meters())
          .increment();
    }
  }

  /** The shared backend's tenants and the dedicated servers', as one report. */
  @Override
  public UsageReport usage(UsageRequest request) {
    ResourceBackend backend = backendFor(request.type());
    UsageReport shared = breakers.of(backend).call(backend::usage);
    DedicatedBackend own = dedicated.get(request.type());
    if (own == null) {
      return shared;
    }
    UsageReport servers;
    try {
      servers = breakers.of(own).call(own::usage);
    } catch (RuntimeException e) {
      // The shared figures still stand; the dedicated tenants are unmeasured this pass.
      LOG.warn(
          "provisioner.dedicated_usage_failed type={} error={}",
          request.type().wireName(),
          Masking.scrubUrls(e.toString()));
      return new UsageReport(shared.tenants(), false, shared.underPressure());
    }
    List<TenantUsage> all = new ArrayList<>(shared.tenants());
    all.addAll(servers.tenants());
    return new UsageReport(all, shared.complete() && servers.complete(), shared.underPressure());
  }

  @Override
  public InventoryReport inventory(InventoryRequest request) {
    ResourceBackend backend = backendFor(request.type());
    List<InventoryItem> found = breakers.of(backend).call(backend::inventory);
    Set<PoolToken> tracked =
        pool.map(p ->
                p.tracked(
                    found.stream()
                        .map(InventoryItem::key)
                        .filter(PoolToken.class::isInstance)
                        .map(PoolToken.class::cast)
                        .toList()))
            .orElse(Set.of());
    return new InventoryReport(
        found.stream()
            .map(i ->
                new InventoryItem(i.key(), i.objects(), i.createdAt(), tracked.contains(i.key())))
            .toList());
  }

  /**
   * Refuses a key a pool item tracks (checked here, from the pool's own rows, right before the
   * drop); otherwise drops it on every cluster, since nothing recorded where it was placed.
   */
  @Override
  public boolean reapOrphan(OrphanReapRequest request) {
    if (request.key() instanceof PoolToken token
        && pool.map(p -> !p.tracked(List.of(token)).isEmpty()).orElse(false)) {
      LOG.warn(
          "provisioner.orphan_reap_refused naming={} request_id={}: a pool item tracks it",
          request.key().masked(),
          request.requestId());
      return false;
    }
    chokepoint.drop(
        backendFor(request.type()),
        request.key(),
        ProviderResourceId.NONE,
        request.reason(),
        request.requestId());
    return true;
  }

  @Override
  public LimitsResult enforceLimits(LimitsRequest request) {
    ResourceBackend backend = backendFor(request.type(), request.providerResourceId());
    InfraKey naming = request.providerResourceId().namingKey(request.token());
    LimitsResult result =
        breakers
            .of(backend)
            .call(() ->
                new LimitsResult(
                    backend.setWritesBlocked(
                        naming, request.providerResourceId(), request.writesBlocked()),
                    backend.closeConnectionsOver(
                        naming, request.providerResourceId(), request.connectionCap()),
                    request.shedDownTo().isPresent()
                        ? backend.shedDownTo(
                            naming, request.providerResourceId(), request.shedDownTo().getAsLong())
                        : 0));
    if (result.writesChanged() || result.connectionsClosed() > 0 || result.bytesFreed() > 0) {
      LOG.info(
          "provisioner.limits_enforced type={} token={} naming={} writes_blocked={}"
              + " writes_changed={} connections_closed={} bytes_freed={} request_id={}",
          request.type().wireName(),
          request.token().masked(),
          naming.masked(),
          request.writesBlocked(),
          result.writesChanged(),
          result.connectionsClosed(),
          result.bytesFreed(),
          request.requestId());
    }
    return result;
  }

  @Override
  public RunawayResult stopRunawayWork(RunawayRequest request) {
    ResourceBackend backend = backendFor(request.type());
    RunawayResult shared =
        breakers
            .of(backend)
            .call(() -> backend.stopRunawayWork(request.bounds(), request.otherwise()));
    DedicatedBackend own = dedicated.get(request.type());
    if (own == null) {
      return shared;
    }
    RunawayResult servers =
        breakers.of(own).call(() -> own.stopRunawayWork(request.bounds(), request.otherwise()));
    return new RunawayResult(
        shared.statementsCancelled() + servers.statementsCancelled(),
        shared.sessionsEnded() + servers.sessionsEnded());
  }

  @Override
  public List<AssignedPoolItem> assignedPoolItems(Instant cutoff, int limit) {
    return pool.map(p -> p.assignedOlderThan(cutoff, limit)).orElse(List.of());
  }

  @Override
  public boolean releasePoolItem(AssignedPoolItem item) {
    return pool.map(p -> p.release(item)).orElse(false);
  }

  @Override
  public boolean reapPoolItem(AssignedPoolItem item, String reason, RequestId requestId) {
    return pool.map(p -> p.reap(item, reason, requestId)).orElse(false);
  }

  /**
   * The backend a resource's infrastructure is on: its type's dedicated one when its id names a
   * dedicated server. With none configured that is an error, never the shared backend (which would
   * report a drop that dropped nothing).
   */
  private ResourceBackend backendFor(ResourceType type, ProviderResourceId providerResourceId) {
    if (!DedicatedIds.isDedicated(providerResourceId)) {
      return backendFor(type);
    }
    DedicatedBackend backend = dedicated.get(type);
    if (backend == null) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE,
          "the resource is on a dedicated server and no cluster is configured for "
              + type.wireName(),
          null);
    }
    return backend;
  }

  private ResourceBackend backendFor(ResourceType type) {
    ResourceBackend backend = backends.get(type);
    if (backend == null) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT,
          "no backend configured for " + type.wireName(),
          null);
    }
    return backend;
  }
}
