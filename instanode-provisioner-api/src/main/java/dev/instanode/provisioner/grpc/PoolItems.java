package dev.instanode.provisioner.grpc;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.provisioner.AssignedPoolItem;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An assigned pool item on the wire and back; both ends use this one codec. */
public final class PoolItems {
  private PoolItems() {}

  public static dev.instanode.provisioner.grpc.proto.AssignedPoolItem toProto(
      AssignedPoolItem item) {
    return dev.instanode.provisioner.grpc.proto.AssignedPoolItem.newBuilder()
        .setId(item.id().toString())
        .setResourceType(ResourceTypes.toProto(item.type()))
        .setPoolToken(item.poolToken().value())
        .setBoundToken(item.boundToken().toString())
        .setProviderResourceId(item.providerResourceId().wire())
        .setAssignedAt(item.assignedAt().toEpochMilli())
        .build();
  }

  /** Empty when any field is missing or malformed. */
  public static Optional<AssignedPoolItem> fromProto(
      dev.instanode.provisioner.grpc.proto.AssignedPoolItem item) {
    try {
      PoolToken poolToken = new PoolToken(item.getPoolToken());
      return ResourceTypes.fromProto(item.getResourceType())
          .flatMap(type ->
              ResourceToken.parse(item.getBoundToken())
                  .map(bound ->
                      new AssignedPoolItem(
                          UUID.fromString(item.getId()),
                          type,
                          poolToken,
                          bound,
                          ProviderResourceId.parse(item.getProviderResourceId()),
                          Instant.ofEpochMilli(item.getAssignedAt()))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
