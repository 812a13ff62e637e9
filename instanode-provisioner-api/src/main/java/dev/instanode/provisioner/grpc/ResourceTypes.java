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
    };
  }

  /** Empty for UNSPECIFIED, for types we do not provision, and for numbers we do not know. */
  public static Optional<ResourceType> fromProto(
      dev.instanode.provisioner.grpc.proto.ResourceType type) {
    return switch (type) {
      case POSTGRES -> Optional.of(ResourceType.POSTGRES);
      case REDIS -> Optional.of(ResourceType.REDIS);
      case WEBHOOK -> Optional.of(ResourceType.WEBHOOK);
      case RESOURCE_TYPE_UNSPECIFIED, MONGODB, QUEUE, STORAGE, UNRECOGNIZED -> Optional.empty();
    };
  }
}
