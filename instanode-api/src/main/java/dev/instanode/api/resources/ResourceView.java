package dev.instanode.api.resources;

import dev.instanode.api.wire.LegacyResource;
import dev.instanode.api.wire.ResourceItem;
import dev.instanode.store.ResourceRecord;

/** How a resource row is shown. Never includes the connection URL. */
public final class ResourceView {
  private ResourceView() {}

  public static ResourceItem item(ResourceRecord r) {
    return new ResourceItem(
        r.id().toString(),
        r.token().toString(),
        r.name(),
        r.type().wireName(),
        r.env(),
        r.tier().wireName(),
        r.status().wireName(),
        r.createdAt(),
        r.expiresAt(),
        r.storageBytes(),
        r.storageExceeded());
  }

  /** The shape older clients read from {@code /api/me/resources} and the claim preview. */
  public static LegacyResource brief(ResourceRecord r) {
    return new LegacyResource(
        r.id().toString(),
        r.token().toString(),
        r.type().wireName(),
        r.name(),
        r.tier().wireName(),
        r.status().wireName(),
        r.createdAt(),
        r.expiresAt());
  }
}
