package dev.instanode.provisioner.grpc.server;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Masking;
import dev.instanode.provisioner.BindingResult;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.LimitsResult;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.grpc.PoolItems;
import dev.instanode.provisioner.grpc.ResourceTypes;
import dev.instanode.provisioner.grpc.SkipCodes;
import dev.instanode.provisioner.grpc.StatusMapping;
import dev.instanode.provisioner.grpc.proto.BindingRequest;
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
import dev.instanode.provisioner.grpc.proto.GetStorageBytesResponse;
import dev.instanode.provisioner.grpc.proto.GetUsageRequest;
import dev.instanode.provisioner.grpc.proto.GetUsageResponse;
import dev.instanode.provisioner.grpc.proto.ListAssignedPoolItemsRequest;
import dev.instanode.provisioner.grpc.proto.ListAssignedPoolItemsResponse;
import dev.instanode.provisioner.grpc.proto.PoolItemRequest;
import dev.instanode.provisioner.grpc.proto.PoolItemResponse;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceResponse;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc;
import dev.instanode.provisioner.grpc.proto.ReapOrphanRequest;
import dev.instanode.provisioner.grpc.proto.ReapOrphanResponse;
import dev.instanode.provisioner.grpc.proto.RegradeResourceRequest;
import dev.instanode.provisioner.grpc.proto.RegradeResourceResponse;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsRequest;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsResponse;
import dev.instanode.provisioner.grpc.proto.SkipCode;
import dev.instanode.provisioner.grpc.proto.StopRunawayWorkRequest;
import dev.instanode.provisioner.grpc.proto.StopRunawayWorkResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts the wire service to a {@link Provisioner}: decode, call, encode, map the failure. */
final class ProvisionerGrpcService extends ProvisionerServiceGrpc.ProvisionerServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionerGrpcService.class);

  private final Provisioner provisioner;
  private final Clock clock;

  ProvisionerGrpcService(Provisioner provisioner, Clock clock) {
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public void claimPooledResource(
      ProvisionResourceRequest request, StreamObserver<ClaimPooledResourceResponse> out) {
    answer(
        "ClaimPooledResource",
        request.getRequestId(),
        out,
        () -> {
          Optional<ProvisionResult> r = provisioner.claimPooled(RequestDecoder.provision(request));
          ClaimPooledResourceResponse.Builder answer =
              ClaimPooledResourceResponse.newBuilder().setClaimed(r.isPresent());
          r.ifPresent(made -> answer.setResource(encode(made)));
          return answer.build();
        });
  }

  @Override
  public void provisionResource(
      ProvisionResourceRequest request, StreamObserver<ProvisionResourceResponse> out) {
    answer(
        "ProvisionResource",
        request.getRequestId(),
        out,
        () -> encode(provisioner.provision(RequestDecoder.provision(request))));
  }

  private static ProvisionResourceResponse encode(ProvisionResult r) {
    return ProvisionResourceResponse.newBuilder()
        .setConnectionUrl(r.connectionUrl())
        .setProviderResourceId(r.providerResourceId().wire())
        .setKeyPrefix(r.keyPrefix().orElse(""))
        .setAppliedConnLimit(r.appliedConnLimit())
        .build();
  }

  @Override
  public void deprovisionResource(
      DeprovisionResourceRequest request, StreamObserver<DeprovisionResourceResponse> out) {
    answer(
        "DeprovisionResource",
        request.getRequestId(),
        out,
        () -> {
          provisioner.deprovision(RequestDecoder.deprovision(request));
          return DeprovisionResourceResponse.newBuilder().setDeprovisioned(true).build();
        });
  }

  @Override
  public void getStorageBytes(
      GetStorageBytesRequest request, StreamObserver<GetStorageBytesResponse> out) {
    answer(
        "GetStorageBytes",
        request.getRequestId(),
        out,
        () -> {
          long bytes = provisioner.storageBytes(RequestDecoder.storage(request));
          return GetStorageBytesResponse.newBuilder()
              .setStorageBytes(bytes)
              .setMeasuredAt(clock.instant().getEpochSecond())
              .build();
        });
  }

  @Override
  public void regradeResource(
      RegradeResourceRequest request, StreamObserver<RegradeResourceResponse> out) {
    answer(
        "RegradeResource",
        request.getRequestId(),
        out,
        () -> {
          RegradeResult r = provisioner.regrade(RequestDecoder.regrade(request));
          return RegradeResourceResponse.newBuilder()
              .setApplied(r.applied())
              .setAppliedConnLimit(r.appliedConnLimit())
              .setSkipReason(r.skipReason().orElse(""))
              .setSkipCode(
                  r.skipCode().map(SkipCodes::encode).orElse(SkipCode.SKIP_CODE_UNSPECIFIED))
              .build();
        });
  }

  @Override
  public void rotateCredentials(
      RotateCredentialsRequest request, StreamObserver<RotateCredentialsResponse> out) {
    answer(
        "RotateCredentials",
        request.getRequestId(),
        out,
        () -> {
          RotateResult r = provisioner.rotateCredentials(RequestDecoder.rotate(request));
          return RotateCredentialsResponse.newBuilder().setConnectionUrl(r.connectionUrl()).build();
        });
  }

  @Override
  public void createBinding(BindingRequest request, StreamObserver<CreateBindingResponse> out) {
    answer(
        "CreateBinding",
        request.getRequestId(),
        out,
        () -> {
          BindingResult r = provisioner.createBinding(RequestDecoder.binding(request));
          return CreateBindingResponse.newBuilder().setConnectionUrl(r.connectionUrl()).build();
        });
  }

  @Override
  public void dropBinding(BindingRequest request, StreamObserver<DropBindingResponse> out) {
    answer(
        "DropBinding",
        request.getRequestId(),
        out,
        () -> {
          provisioner.dropBinding(RequestDecoder.binding(request));
          return DropBindingResponse.newBuilder().setDropped(true).build();
        });
  }

  @Override
  public void getUsage(GetUsageRequest request, StreamObserver<GetUsageResponse> out) {
    answer(
        "GetUsage",
        request.getRequestId(),
        out,
        () -> {
          UsageReport r = provisioner.usage(RequestDecoder.usage(request));
          GetUsageResponse.Builder answer =
              GetUsageResponse.newBuilder()
                  .setComplete(r.complete())
                  .setUnderPressure(r.underPressure());
          for (TenantUsage t : r.tenants()) {
            answer.addTenants(
                dev.instanode.provisioner.grpc.proto.TenantUsage.newBuilder()
                    .setNamingToken(t.key().text())
                    .setBytes(t.bytes())
                    .setExact(t.exact())
                    .setKeys(t.keys())
                    .setConnections(t.connections())
                    .setWritesBlocked(t.writesBlocked()));
          }
          return answer.build();
        });
  }

  @Override
  public void getInventory(GetInventoryRequest request, StreamObserver<GetInventoryResponse> out) {
    answer(
        "GetInventory",
        request.getRequestId(),
        out,
        () -> {
          InventoryReport r = provisioner.inventory(RequestDecoder.inventory(request));
          GetInventoryResponse.Builder answer = GetInventoryResponse.newBuilder();
          for (InventoryItem item : r.items()) {
            answer.addItems(
                dev.instanode.provisioner.grpc.proto.InventoryItem.newBuilder()
                    .setNamingToken(item.key().text())
                    .setObjects(item.objects())
                    .setCreatedAtMillis(item.createdAt().map(Instant::toEpochMilli).orElse(0L))
                    .setPooled(item.pooled()));
          }
          return answer.build();
        });
  }

  @Override
  public void reapOrphan(ReapOrphanRequest request, StreamObserver<ReapOrphanResponse> out) {
    answer(
        "ReapOrphan",
        request.getRequestId(),
        out,
        () ->
            ReapOrphanResponse.newBuilder()
                .setDone(provisioner.reapOrphan(RequestDecoder.reapOrphan(request)))
                .build());
  }

  @Override
  public void enforceLimits(
      EnforceLimitsRequest request, StreamObserver<EnforceLimitsResponse> out) {
    answer(
        "EnforceLimits",
        request.getRequestId(),
        out,
        () -> {
          LimitsResult r = provisioner.enforceLimits(RequestDecoder.limits(request));
          return EnforceLimitsResponse.newBuilder()
              .setWritesChanged(r.writesChanged())
              .setConnectionsClosed(r.connectionsClosed())
              .setBytesFreed(r.bytesFreed())
              .build();
        });
  }

  @Override
  public void stopRunawayWork(
      StopRunawayWorkRequest request, StreamObserver<StopRunawayWorkResponse> out) {
    answer(
        "StopRunawayWork",
        request.getRequestId(),
        out,
        () -> {
          RunawayResult r = provisioner.stopRunawayWork(RequestDecoder.runaway(request));
          return StopRunawayWorkResponse.newBuilder()
              .setStatementsCancelled(r.statementsCancelled())
              .setSessionsEnded(r.sessionsEnded())
              .build();
        });
  }

  @Override
  public void listAssignedPoolItems(
      ListAssignedPoolItemsRequest request, StreamObserver<ListAssignedPoolItemsResponse> out) {
    answer(
        "ListAssignedPoolItems",
        request.getRequestId(),
        out,
        () -> {
          var items =
              provisioner.assignedPoolItems(
                  RequestDecoder.cutoff(request.getAssignedBefore()),
                  RequestDecoder.limit(request.getLimit()));
          return ListAssignedPoolItemsResponse.newBuilder()
              .addAllItems(items.stream().map(PoolItems::toProto).toList())
              .build();
        });
  }

  @Override
  public void releasePoolItem(PoolItemRequest request, StreamObserver<PoolItemResponse> out) {
    answer(
        "ReleasePoolItem",
        request.getRequestId(),
        out,
        () ->
            PoolItemResponse.newBuilder()
                .setDone(provisioner.releasePoolItem(RequestDecoder.poolItem(request)))
                .build());
  }

  @Override
  public void reapPoolItem(PoolItemRequest request, StreamObserver<PoolItemResponse> out) {
    answer(
        "ReapPoolItem",
        request.getRequestId(),
        out,
        () ->
            PoolItemResponse.newBuilder()
                .setDone(
                    provisioner.reapPoolItem(
                        RequestDecoder.poolItem(request),
                        RequestDecoder.reason(request.getReason()),
                        RequestDecoder.requestId(request.getRequestId())))
                .build());
  }

  @Override
  public void getCapabilities(
      GetCapabilitiesRequest request, StreamObserver<GetCapabilitiesResponse> out) {
    answer(
        "GetCapabilities",
        "",
        out,
        () -> {
          GetCapabilitiesResponse.Builder answer = GetCapabilitiesResponse.newBuilder();
          provisioner.dedicatedTypes().stream()
              .sorted()
              .forEach(t -> answer.addDedicated(ResourceTypes.toProto(t)));
          return answer.build();
        });
  }

  private static <T> void answer(
      String rpc, String requestId, StreamObserver<T> out, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (ProvisionerException e) {
      LOG.warn(
          "provisioner.grpc.failed rpc={} kind={} request_id={} error={}",
          rpc,
          e.kind(),
          requestId,
          Masking.scrubUrls(e.getMessage()));
      out.onError(StatusMapping.toStatus(e));
      return;
    } catch (RuntimeException e) {
      // Not a classified failure, so its message is unknown text: log it, never send it.
      LOG.error(
          "provisioner.grpc.unexpected rpc={} request_id={} error={}",
          rpc,
          requestId,
          Masking.scrubUrls(e.toString()));
      out.onError(
          Status.INTERNAL.withDescription("unexpected provisioner error").asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
