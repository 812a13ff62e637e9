package dev.instanode.provisioner.grpc.server;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.grpc.PoolItems;
import dev.instanode.provisioner.grpc.ResourceTypes;
import dev.instanode.provisioner.grpc.proto.BindingRequest;
import dev.instanode.provisioner.grpc.proto.DeprovisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.EnforceLimitsRequest;
import dev.instanode.provisioner.grpc.proto.GetInventoryRequest;
import dev.instanode.provisioner.grpc.proto.GetStorageBytesRequest;
import dev.instanode.provisioner.grpc.proto.GetUsageRequest;
import dev.instanode.provisioner.grpc.proto.PoolItemRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.ReapOrphanRequest;
import dev.instanode.provisioner.grpc.proto.RegradeResourceRequest;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsRequest;
import dev.instanode.provisioner.grpc.proto.RunawayBounds;
import dev.instanode.provisioner.grpc.proto.StopRunawayWorkRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Turns wire requests into the Provisioner's request records. Anything malformed is an
 * INVALID_ARGUMENT {@link ProvisionerException}, so validation is answered through the same status
 * table as every other failure. Messages never echo what the caller sent.
 */
final class RequestDecoder {
  private static final int MAX_POOL_ITEMS = 1000;

  private RequestDecoder() {}

  static ProvisionRequest provision(ProvisionResourceRequest r) {
    return new ProvisionRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        tier(r.getTier()),
        requestId(r.getRequestId()),
        r.getDedicatedTeamId().isEmpty()
            ? Optional.empty()
            : Optional.of(new TeamId(uuid(r.getDedicatedTeamId(), "dedicated_team_id"))));
  }

  private static UUID uuid(String text, String field) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw invalid(field + " is not a UUID");
    }
  }

  static DeprovisionRequest deprovision(DeprovisionResourceRequest r) {
    ResourceToken token = token(r.getToken());
    ResourceType type = type(r.getResourceType());
    // Every drop is audited with its reason; a drop nobody can explain is refused up front.
    if (r.getReason().isBlank()) {
      throw invalid("reason is required");
    }
    return new DeprovisionRequest(
        token, type, prid(r.getProviderResourceId()), r.getReason(), requestId(r.getRequestId()));
  }

  static StorageRequest storage(GetStorageBytesRequest r) {
    return new StorageRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        prid(r.getProviderResourceId()),
        requestId(r.getRequestId()));
  }

  static RegradeRequest regrade(RegradeResourceRequest r) {
    return new RegradeRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        tier(r.getTier()),
        prid(r.getProviderResourceId()),
        requestId(r.getRequestId()));
  }

  static RotateRequest rotate(RotateCredentialsRequest r) {
    return new RotateRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        prid(r.getProviderResourceId()),
        requestId(r.getRequestId()));
  }

  static dev.instanode.provisioner.BindingRequest binding(BindingRequest r) {
    return new dev.instanode.provisioner.BindingRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        prid(r.getProviderResourceId()),
        bindingKey(r.getBindingKey()),
        requestId(r.getRequestId()));
  }

  private static BindingKey bindingKey(String raw) {
    try {
      return new BindingKey(raw);
    } catch (IllegalArgumentException e) {
      throw invalid("binding_key is not 16 lowercase hex characters");
    }
  }

  static InventoryRequest inventory(GetInventoryRequest r) {
    return new InventoryRequest(type(r.getResourceType()), requestId(r.getRequestId()));
  }

  static OrphanReapRequest reapOrphan(ReapOrphanRequest r) {
    InfraKey key =
        InfraKey.parse(r.getNamingToken())
            .orElseThrow(() -> invalid("naming_token is no resource or pool token"));
    if (r.getReason().isBlank()) {
      throw invalid("reason is required");
    }
    return new OrphanReapRequest(
        key, type(r.getResourceType()), r.getReason(), requestId(r.getRequestId()));
  }

  static UsageRequest usage(GetUsageRequest r) {
    return new UsageRequest(type(r.getResourceType()), requestId(r.getRequestId()));
  }

  static LimitsRequest limits(EnforceLimitsRequest r) {
    if (r.getConnectionCap() < -1) {
      throw invalid("connection_cap must be -1 (none) or at least 0");
    }
    if (r.getShed() && r.getShedDownToBytes() < 0) {
      throw invalid("shed_down_to_bytes must not be negative");
    }
    return new LimitsRequest(
        token(r.getToken()),
        type(r.getResourceType()),
        prid(r.getProviderResourceId()),
        r.getWritesBlocked(),
        r.getConnectionCap(),
        r.getShed() ? OptionalLong.of(r.getShedDownToBytes()) : OptionalLong.empty(),
        requestId(r.getRequestId()));
  }

  static RunawayRequest runaway(StopRunawayWorkRequest r) {
    Map<InfraKey, dev.instanode.provisioner.RunawayBounds> bounds = new HashMap<>();
    r.getBoundsMap()
        .forEach((naming, b) ->
            bounds.put(
                InfraKey.parse(naming).orElseThrow(() -> invalid("a bounds key is not a token")),
                bounds(b)));
    return new RunawayRequest(
        type(r.getResourceType()), bounds, bounds(r.getOtherwise()), requestId(r.getRequestId()));
  }

  private static dev.instanode.provisioner.RunawayBounds bounds(RunawayBounds b) {
    if (b.getStatementTimeoutMs() < 0 || b.getIdleInTransactionTimeoutMs() < 0) {
      throw invalid("runaway bounds must not be negative");
    }
    return new dev.instanode.provisioner.RunawayBounds(
        Duration.ofMillis(b.getStatementTimeoutMs()),
        Duration.ofMillis(b.getIdleInTransactionTimeoutMs()));
  }

  static Instant cutoff(long epochMillis) {
    if (epochMillis <= 0) {
      throw invalid("assigned_before is required");
    }
    return Instant.ofEpochMilli(epochMillis);
  }

  static int limit(int limit) {
    if (limit < 1 || limit > MAX_POOL_ITEMS) {
      throw invalid("limit must be between 1 and " + MAX_POOL_ITEMS);
    }
    return limit;
  }

  static AssignedPoolItem poolItem(PoolItemRequest r) {
    if (!r.hasItem()) {
      throw invalid("item is required");
    }
    return PoolItems.fromProto(r.getItem()).orElseThrow(() -> invalid("item is malformed"));
  }

  static String reason(String raw) {
    if (raw.isBlank()) {
      throw invalid("reason is required");
    }
    return raw;
  }

  private static ProviderResourceId prid(String raw) {
    try {
      return ProviderResourceId.parse(raw);
    } catch (IllegalArgumentException e) {
      throw invalid("provider_resource_id names a malformed pool token");
    }
  }

  private static ResourceToken token(String raw) {
    if (raw.isEmpty()) {
      throw invalid("token is required");
    }
    return ResourceToken.parse(raw).orElseThrow(() -> invalid("token is not a resource token"));
  }

  private static ResourceType type(dev.instanode.provisioner.grpc.proto.ResourceType raw) {
    if (raw == dev.instanode.provisioner.grpc.proto.ResourceType.RESOURCE_TYPE_UNSPECIFIED) {
      throw invalid("resource_type is unspecified");
    }
    return ResourceTypes.fromProto(raw).orElseThrow(() -> invalid("unknown resource_type"));
  }

  private static Tier tier(String raw) {
    if (raw.isEmpty()) {
      throw invalid("tier is required");
    }
    return Tier.parse(raw).orElseThrow(() -> invalid("unknown tier"));
  }

  // request_id only correlates logs; a caller that sends none still gets a traceable call.
  static RequestId requestId(String raw) {
    return raw.isBlank() ? RequestId.random() : new RequestId(raw);
  }

  private static ProvisionerException invalid(String message) {
    return new ProvisionerException(ProvisionerException.Kind.INVALID_ARGUMENT, message, null);
  }
}
