package dev.instanode.core;

import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.QueueUser;
import dev.instanode.core.names.RoleName;
import dev.instanode.core.names.WebhookInbox;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The descriptor of every kind; each {@link ResourceType} has exactly one. */
public final class ResourceKinds {
  private static final Map<ResourceType, ResourceKind> BY_TYPE = new EnumMap<>(ResourceType.class);

  static {
    register(
        new ResourceKind(
            ResourceType.POSTGRES,
            "/db/new",
            "DATABASE_URL",
            ResourceKind.Size.STORAGE,
            ResourceKind.ConnectionCap.ROLE_SETTING,
            ResourceKind.Probe.ZERO_MEANS_ABSENT,
            Optional.of("POOL_POSTGRES_SIZE"),
            ResourceKind.Enforcement.MEASURED,
            List.of(DatabaseName.PREFIX, RoleName.PREFIX),
            "shared",
            plan ->
                new ResourceKind.Limits(plan.postgres().storageMb(), plan.postgres().connections()),
            true,
            Optional.empty()));
    register(
        new ResourceKind(
            ResourceType.REDIS,
            "/cache/new",
            "REDIS_URL",
            ResourceKind.Size.MEMORY,
            ResourceKind.ConnectionCap.CLOSED_OVER_LIMIT,
            ResourceKind.Probe.ZERO_PROVES_NOTHING,
            Optional.of("POOL_REDIS_SIZE"),
            ResourceKind.Enforcement.MEASURED,
            List.of(AclUserName.PREFIX),
            "shared",
            plan -> new ResourceKind.Limits(plan.redis().memoryMb(), plan.redis().connections()),
            true,
            Optional.empty()));
    register(
        new ResourceKind(
            ResourceType.WEBHOOK,
            "/webhook/new",
            "WEBHOOK_URL",
            ResourceKind.Size.REQUESTS,
            ResourceKind.ConnectionCap.NONE,
            // A receiver that has stored nothing is there all the same.
            ResourceKind.Probe.ZERO_PROVES_NOTHING,
            Optional.empty(),
            ResourceKind.Enforcement.ON_WRITE,
            List.of(WebhookInbox.PREFIX),
            "platform",
            plan -> new ResourceKind.Limits(plan.webhook().requestsStored(), Limit.UNLIMITED),
            false,
            Optional.empty()));
    register(
        new ResourceKind(
            ResourceType.STORAGE,
            "/storage/new",
            "STORAGE_URL",
            ResourceKind.Size.STORAGE,
            ResourceKind.ConnectionCap.NONE,
            // An empty prefix is a normal state: nothing is there until the first upload.
            ResourceKind.Probe.ZERO_PROVES_NOTHING,
            Optional.empty(),
            ResourceKind.Enforcement.ON_WRITE,
            // Its keys start with its token and a slash, which no fixed prefix describes.
            List.of(),
            "objects",
            plan -> new ResourceKind.Limits(plan.storage().storageMb(), Limit.UNLIMITED),
            false,
            Optional.empty()));
    register(
        new ResourceKind(
            ResourceType.QUEUE,
            "/queue/new",
            "NATS_URL",
            ResourceKind.Size.NONE,
            ResourceKind.ConnectionCap.NONE,
            ResourceKind.Probe.ZERO_PROVES_NOTHING,
            Optional.empty(),
            ResourceKind.Enforcement.ON_WRITE,
            List.of(QueueUser.PREFIX),
            "nats",
            plan -> new ResourceKind.Limits(Limit.UNLIMITED, Limit.UNLIMITED),
            true,
            Optional.of(
                new ResourceKind.TeamCap(
                    plan -> plan.queue().queues(), ErrorCode.QUEUE_LIMIT_REACHED))));
    for (ResourceType type : ResourceType.values()) {
      if (!BY_TYPE.containsKey(type)) {
        throw new ExceptionInInitializerError("no descriptor for " + type.wireName());
      }
    }
  }

  private ResourceKinds() {}

  private static void register(ResourceKind kind) {
    if (BY_TYPE.putIfAbsent(kind.type(), kind) != null) {
      throw new ExceptionInInitializerError("two descriptors for " + kind.type().wireName());
    }
  }

  public static ResourceKind of(ResourceType type) {
    return BY_TYPE.get(type);
  }

  /** Every kind, in {@link ResourceType} order. */
  public static Collection<ResourceKind> all() {
    return BY_TYPE.values();
  }
}
