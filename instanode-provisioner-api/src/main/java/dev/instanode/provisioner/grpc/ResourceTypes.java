package dev.instanode.provisioner.grpc;

import dev.instanode.core.ResourceType;
import java.util.Optional;

/** Our resource types and the wire enum, which also names types this platform does not run. */
public final class ResourceTypes {
  private ResourceTypes() {}

  public static dev.instanode.provisioner.grpc.proto.ResourceType toProto(ResourceType type) {
    return switch (type) {
      case POSTGRES -> dev.instanode.provisioner.grpc.proto.ResourceType.POSTGRES;
      case REDIS -> dev.instanode.provisioner.grpc.proto.ResourceType.REDIS;
      case WEBHOOK -> dev.instanode.provisioner.grpc.proto.ResourceType.WEBHOOK;
      case STORAGE -> dev.instanode.provisioner.grpc.proto.ResourceType.STORAGE;
      case QUEUE -> dev.instanode.provisioner.grpc.proto.ResourceType.QUEUE;
    };
  }

  /** Empty for UNSPECIFIED, for types we do not provision, and for numbers we do not know. */
  public static Optional<ResourceType> fromProto(
      dev.instanode.provisioner.grpc.proto.ResourceType type) {
    return switch (type) {
      case POSTGRES -> Optional.of(ResourceType.POSTGRES);
      case REDIS -> Optional.of(ResourceType.REDIS);
      case WEBHOOK -> Optional.of(ResourceType.WEBHOOK);
      case STORAGE -> Optional.of(ResourceType.STORAGE);
      case QUEUE -> Optional.of(ResourceType.QUEUE);
      case RESOURCE_TYPE_UNSPECIFIED, MONGODB, UNRECOGNIZED -> Optional.empty();
    };
  }
}
