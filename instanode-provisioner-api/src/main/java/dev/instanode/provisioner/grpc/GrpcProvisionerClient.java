package dev.instanode.provisioner.grpc;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
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
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.grpc.proto.ClaimPooledResourceResponse;
import dev.instanode.provisioner.grpc.proto.CreateBindingResponse;
import dev.instanode.provisioner.grpc.proto.DeprovisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.DeprovisionResourceResponse;
import dev.instanode.provisioner.grpc.proto.DropBindingResponse;
import dev.instanode.provisioner.grpc.proto.EnforceLimitsRequest;
import dev.instanode.provisioner.grpc.proto.EnforceLimitsResponse;
import dev.instanode.provisioner.grpc.proto.GetCapabilitiesRequest;
import dev.instanode.provisioner.grpc.proto.GetCapabilitiesResponse;
import dev.instanode.provisioner.grpc.proto.GetInventoryRequest;
import dev.instanode.provisioner.grpc.proto.GetInventoryResponse;
import dev.instanode.provisioner.grpc.proto.GetStorageBytesRequest;
import dev.instanode.provisioner.grpc.proto.GetUsageRequest;
import dev.instanode.provisioner.grpc.proto.GetUsageResponse;
import dev.instanode.provisioner.grpc.proto.ListAssignedPoolItemsRequest;
import dev.instanode.provisioner.grpc.proto.ListAssignedPoolItemsResponse;
import dev.instanode.provisioner.grpc.proto.PoolItemRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceResponse;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc.ProvisionerServiceBlockingStub;
import dev.instanode.provisioner.grpc.proto.ReapOrphanRequest;
import dev.instanode.provisioner.grpc.proto.RegradeResourceRequest;
import dev.instanode.provisioner.grpc.proto.RegradeResourceResponse;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsRequest;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsResponse;
import dev.instanode.provisioner.grpc.proto.StopRunawayWorkRequest;
import dev.instanode.provisioner.grpc.proto.StopRunawayWorkResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@link Provisioner} of a remote provisioner. Every call carries the shared secret; every
 * failure arrives as the {@link ProvisionerException.Kind} the server threw (an unreachable server
 * or an expired deadline is UNAVAILABLE, a rejected secret is INTERNAL).
 *
 * <p>Plaintext only. TLS (or mTLS) is out of scope here; the transport is meant for a private
 * network or a service mesh that encrypts pod-to-pod traffic.
 */
public final class GrpcProvisionerClient implements Provisioner, AutoCloseable {
  /**
   * GetUsage and GetInventory answer every tenant of a backend in one message: about 50 bytes a
   * tenant, so gRPC's default 4 MiB would stop them near 80,000 tenants.
   */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

  private static final long CAPABILITIES_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ManagedChannel channel;
  private final ProvisionerServiceBlockingStub stub;
  private final HealthGrpc.HealthBlockingStub health;
  private final Deadlines deadlines;
  private final AtomicReference<Capabilities> capabilities = new AtomicReference<>();

  private GrpcProvisionerClient(ManagedChannel channel, Deadlines deadlines) {
    this.channel = channel;
    this.stub = ProvisionerServiceGrpc.newBlockingStub(channel);
    this.health = HealthGrpc.newBlockingStub(channel);
    this.deadlines = deadlines;
  }

  /** Connects with {@link Deadlines#DEFAULT}. */
  public static GrpcProvisionerClient connect(String host, int port, String secret) {
    return connect(host, port, secret, Deadlines.DEFAULT);
  }

  /**
   * Creates the channel; it connects lazily, so this succeeds while the provisioner is still down.
   *
   * @param secret the shared PROVISIONER_SECRET
   * @throws IllegalArgumentException naming PROVISIONER_SECRET when the secret is null, blank or
   *     shorter than 32 bytes
   */
  public static GrpcProvisionerClient connect(
      String host, int port, String secret, Deadlines deadlines) {
    ProvisionerSecret checked = ProvisionerSecret.of(secret);
    requireNonNull(host, "host is null");
    requireNonNull(deadlines, "deadlines is null");
    Metadata headers = new Metadata();
    headers.put(GrpcHeaders.TOKEN, checked.value());
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
            .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .build();
    return new GrpcProvisionerClient(channel, deadlines);
  }

  @Override
  public Optional<ProvisionResult> claimPooled(ProvisionRequest request) {
    ClaimPooledResourceResponse r =
        call(
            "ClaimPooledResource",
            () -> stub.withDeadlineAfter(deadlines.call()).claimPooledResource(encode(request)));
    if (r.getClaimed() != r.hasResource()) {
      throw malformed("ClaimPooledResource must send a resource exactly when it claimed one");
    }
    return r.getClaimed()
        ? Optional.of(decode("ClaimPooledResource", r.getResource()))
        : Optional.empty();
  }

  @Override
  public ProvisionResult provision(ProvisionRequest request) {
    return decode(
        "ProvisionResource",
        call(
            "ProvisionResource",
            () ->
                stub.withDeadlineAfter(deadlines.provision()).provisionResource(encode(request))));
  }

  private static ProvisionResourceRequest encode(ProvisionRequest request) {
    return ProvisionResourceRequest.newBuilder()
        .setToken(request.token().toString())
        .setResourceType(ResourceTypes.toProto(request.type()))
        .setTier(request.tier().wireName())
        .setRequestId(request.requestId().value())
        .setDedicatedTeamId(request.dedicatedFor().map(TeamId::toString).orElse(""))
        .build();
  }

  private static ProvisionResult decode(String rpc, ProvisionResourceResponse r) {
    // Never hand out "credentials" for something the server did not say it made.
    if (r.getConnectionUrl().isEmpty()) {
      throw malformed(rpc + " answered without a connection URL");
    }
    ProviderResourceId prid;
    try {
      prid = ProviderResourceId.parse(r.getProviderResourceId());
    } catch (IllegalArgumentException e) {
      throw malformed(rpc + " answered with a malformed provider resource id");
    }
    return new ProvisionResult(
        r.getConnectionUrl(),
        prid,
        r.getKeyPrefix().isEmpty() ? Optional.empty() : Optional.of(r.getKeyPrefix()),
        r.getAppliedConnLimit());
  }

  @Override
  public void deprovision(DeprovisionRequest request) {
    DeprovisionResourceResponse r =
        call(
            "DeprovisionResource",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .deprovisionResource(
                        DeprovisionResourceRequest.newBuilder()
                            .setToken(request.token().toString())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setProviderResourceId(request.providerResourceId().wire())
                            .setRequestId(request.requestId().value())
                            .setReason(request.reason())
                            .build()));
    // Teardown before bookkeeping: the caller marks the row deleted only on a confirmed drop.
    if (!r.getDeprovisioned()) {
      throw malformed("DeprovisionResource did not confirm the drop");
    }
  }

  @Override
  public RegradeResult regrade(RegradeRequest request) {
    RegradeResourceResponse r =
        call(
            "RegradeResource",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .regradeResource(
                        RegradeResourceRequest.newBuilder()
                            .setToken(request.token().toString())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setTier(request.tier().wireName())
                            .setProviderResourceId(request.providerResourceId().wire())
                            .setRequestId(request.requestId().value())
                            .build()));
    if (r.getApplied() == !r.getSkipReason().isEmpty()) {
      throw malformed("RegradeResource must either apply or give a skip reason");
    }
    return r.getApplied()
        ? RegradeResult.applied(r.getAppliedConnLimit())
        : SkipCodes.decode(r.getSkipCode())
            .map(code -> RegradeResult.skipped(r.getAppliedConnLimit(), code, r.getSkipReason()))
            .orElseGet(() -> RegradeResult.skipped(r.getAppliedConnLimit(), r.getSkipReason()));
  }

  @Override
  public long storageBytes(StorageRequest request) {
    return call(
            "GetStorageBytes",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .getStorageBytes(
                        GetStorageBytesRequest.newBuilder()
                            .setToken(request.token().toString())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setProviderResourceId(request.providerResourceId().wire())
                            .setRequestId(request.requestId().value())
                            .build()))
        .getStorageBytes();
  }

  @Override
  public RotateResult rotateCredentials(RotateRequest request) {
    RotateCredentialsResponse r =
        call(
            "RotateCredentials",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .rotateCredentials(
                        RotateCredentialsRequest.newBuilder()
                            .setToken(request.token().toString())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setProviderResourceId(request.providerResourceId().wire())
                            .setRequestId(request.requestId().value())
                            .build()));
    // An empty URL stored as the new credential would lock the customer out for good.
    if (r.getConnectionUrl().isEmpty()) {
      throw malformed("RotateCredentials answered without a connection URL");
    }
    return new RotateResult(r.getConnectionUrl());
  }

  @Override
  public BindingResult createBinding(BindingRequest request) {
    CreateBindingResponse r =
        call(
            "CreateBinding",
            () -> stub.withDeadlineAfter(deadlines.call()).createBinding(encode(request)));
    // An empty URL handed to the platform as the binding's credentials would never work.
    if (r.getConnectionUrl().isEmpty()) {
      throw malformed("CreateBinding answered without a connection URL");
    }
    return new BindingResult(r.getConnectionUrl());
  }

  @Override
  public void dropBinding(BindingRequest request) {
    DropBindingResponse r =
        call(
            "DropBinding",
            () -> stub.withDeadlineAfter(deadlines.call()).dropBinding(encode(request)));
    // Never report an unbind that did not happen: the caller forgets the binding on success.
    if (!r.getDropped()) {
      throw malformed("DropBinding did not confirm the drop");
    }
  }

  private static dev.instanode.provisioner.grpc.proto.BindingRequest encode(
      BindingRequest request) {
    return dev.instanode.provisioner.grpc.proto.BindingRequest.newBuilder()
        .setToken(request.token().toString())
        .setResourceType(ResourceTypes.toProto(request.type()))
        .setProviderResourceId(request.providerResourceId().wire())
        .setBindingKey(request.bindingKey().value())
        .setRequestId(request.requestId().value())
        .build();
  }

  @Override
  public UsageReport usage(UsageRequest request) {
    GetUsageResponse r =
        call(
            "GetUsage",
            () ->
                stub.withDeadlineAfter(deadlines.usage())
                    .getUsage(
                        GetUsageRequest.newBuilder()
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setRequestId(request.requestId().value())
                            .build()));
    List<TenantUsage> tenants = new ArrayList<>();
    for (var t : r.getTenantsList()) {
      InfraKey key =
          InfraKey.parse(t.getNamingToken())
              .orElseThrow(() -> malformed("GetUsage named a tenant by no key of ours"));
      tenants.add(
          new TenantUsage(
              key,
              t.getBytes(),
              t.getExact(),
              t.getKeys(),
              t.getConnections(),
              t.getWritesBlocked()));
    }
    return new UsageReport(tenants, r.getComplete(), r.getUnderPressure());
  }

  /** Bounded like a usage pass: both read every tenant of a type. */
  @Override
  public InventoryReport inventory(InventoryRequest request) {
    GetInventoryResponse r =
        call(
            "GetInventory",
            () ->
                stub.withDeadlineAfter(deadlines.usage())
                    .getInventory(
                        GetInventoryRequest.newBuilder()
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setRequestId(request.requestId().value())
                            .build()));
    List<InventoryItem> items = new ArrayList<>();
    for (var item : r.getItemsList()) {
      InfraKey key =
          InfraKey.parse(item.getNamingToken())
              .orElseThrow(() -> malformed("GetInventory named a tenant by no key of ours"));
      items.add(
          new InventoryItem(
              key,
              item.getObjects(),
              item.getCreatedAtMillis() > 0
                  ? Optional.of(Instant.ofEpochMilli(item.getCreatedAtMillis()))
                  : Optional.empty(),
              item.getPooled()));
    }
    return new InventoryReport(items);
  }

  @Override
  public boolean reapOrphan(OrphanReapRequest request) {
    return call(
            "ReapOrphan",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .reapOrphan(
                        ReapOrphanRequest.newBuilder()
                            .setNamingToken(request.key().text())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setReason(request.reason())
                            .setRequestId(request.requestId().value())
                            .build()))
        .getDone();
  }

  @Override
  public LimitsResult enforceLimits(LimitsRequest request) {
    EnforceLimitsResponse r =
        call(
            "EnforceLimits",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .enforceLimits(
                        EnforceLimitsRequest.newBuilder()
                            .setToken(request.token().toString())
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setProviderResourceId(request.providerResourceId().wire())
                            .setWritesBlocked(request.writesBlocked())
                            .setConnectionCap(request.connectionCap())
                            .setShed(request.shedDownTo().isPresent())
                            .setShedDownToBytes(request.shedDownTo().orElse(0))
                            .setRequestId(request.requestId().value())
                            .build()));
    return new LimitsResult(r.getWritesChanged(), r.getConnectionsClosed(), r.getBytesFreed());
  }

  @Override
  public RunawayResult stopRunawayWork(RunawayRequest request) {
    StopRunawayWorkResponse r =
        call(
            "StopRunawayWork",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .stopRunawayWork(
                        StopRunawayWorkRequest.newBuilder()
                            .setResourceType(ResourceTypes.toProto(request.type()))
                            .setRequestId(request.requestId().value())
                            .putAllBounds(
                                request.bounds().entrySet().stream()
                                    .collect(
                                        Collectors.toMap(
                                            e -> e.getKey().text(), e -> encode(e.getValue()))))
                            .setOtherwise(encode(request.otherwise()))
                            .build()));
    return new RunawayResult(r.getStatementsCancelled(), r.getSessionsEnded());
  }

  @Override
  public List<AssignedPoolItem> assignedPoolItems(Instant cutoff, int limit) {
    ListAssignedPoolItemsResponse r =
        call(
            "ListAssignedPoolItems",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .listAssignedPoolItems(
                        ListAssignedPoolItemsRequest.newBuilder()
                            .setAssignedBefore(cutoff.toEpochMilli())
                            .setLimit(limit)
                            .setRequestId(RequestId.random().value())
                            .build()));
    List<AssignedPoolItem> items = new ArrayList<>();
    for (var item : r.getItemsList()) {
      // An item we cannot read is never decided: deciding from a guess is how live data goes.
      items.add(
          PoolItems.fromProto(item)
              .orElseThrow(() -> malformed("ListAssignedPoolItems sent a malformed item")));
    }
    return items;
  }

  @Override
  public boolean releasePoolItem(AssignedPoolItem item) {
    return call(
            "ReleasePoolItem",
            () ->
                stub.withDeadlineAfter(deadlines.call())
                    .releasePoolItem(
                        PoolItemRequest.newBuilder()
                            .setItem(PoolItems.toProto(item))
                            .setRequestId(RequestId.random().value())
                            .build()))
        .getDone();
  }

  @Override
  public boolean reapPoolItem(AssignedPoolItem item, String reason, RequestId requestId) {
    return call(
            "ReapPoolItem",
            () ->
                stub.withDeadlineAfter(deadlines.provision())
                    .reapPoolItem(
                        PoolItemRequest.newBuilder()
                            .setItem(PoolItems.toProto(item))
                            .setRequestId(requestId.value())
                            .setReason(reason)
                            .build()))
        .getDone();
  }

  private static dev.instanode.provisioner.grpc.proto.RunawayBounds encode(RunawayBounds b) {
    return dev.instanode.provisioner.grpc.proto.RunawayBounds.newBuilder()
        .setStatementTimeoutMs(b.statement().toMillis())
        .setIdleInTransactionTimeoutMs(b.idleInTransaction().toMillis())
        .build();
  }

  /**
   * Asked of the provisioner at most once a minute: it changes only when the provisioner is
   * redeployed. A failed ask keeps the last answer; with none yet it is an error, never "none"
   * (which would quietly put a dedicated plan's resource on the shared backend for good).
   */
  @Override
  public Set<ResourceType> dedicatedTypes() {
    Capabilities known = capabilities.get();
    if (known != null && known.askedAt() + CAPABILITIES_TTL_NANOS - System.nanoTime() > 0) {
      return known.dedicated();
    }
    try {
      GetCapabilitiesResponse r =
          call(
              "GetCapabilities",
              () ->
                  stub.withDeadlineAfter(deadlines.call())
                      .getCapabilities(GetCapabilitiesRequest.getDefaultInstance()));
      Set<ResourceType> dedicated = EnumSet.noneOf(ResourceType.class);
      r.getDedicatedList().forEach(t -> ResourceTypes.fromProto(t).ifPresent(dedicated::add));
      Capabilities fresh = new Capabilities(Set.copyOf(dedicated), System.nanoTime());
      capabilities.set(fresh);
      return fresh.dedicated();
    } catch (ProvisionerException e) {
      if (known != null) {
        return known.dedicated();
      }
      throw e;
    }
  }

  private record Capabilities(Set<ResourceType> dedicated, long askedAt) {}

  /**
   * For readiness: true only when the provisioner answers its health check with SERVING. An
   * unreachable provisioner, or one that is shutting down, is not ready.
   */
  public boolean healthy() {
    try {
      return health
              .withDeadlineAfter(deadlines.health())
              .check(
                  HealthCheckRequest.newBuilder()
                      .setService(ProvisionerServiceGrpc.SERVICE_NAME)
                      .build())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T call(String rpc, Supplier<T> invocation) {
    try {
      return invocation.get();
    } catch (StatusRuntimeException e) {
      throw StatusMapping.toException(rpc, e);
    }
  }

  private static ProvisionerException malformed(String what) {
    return new ProvisionerException(
        ProvisionerException.Kind.INTERNAL, "provisioner " + what, null);
  }
}
