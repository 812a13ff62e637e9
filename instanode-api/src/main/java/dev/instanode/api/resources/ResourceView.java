package dev.instanode.api.resources;

import dev.instanode.store.ResourceRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a resource row is shown. Never includes the connection URL. */
public final class ResourceView {
  private ResourceView() {}

  public static Map<String, Object> item(ResourceRecord r) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("id", r.id().toString());
    item.put("token", r.token().toString());
    item.put("name", r.name());
    item.put("resource_type", r.type().wireName());
    item.put("env", r.env());
    item.put("tier", r.tier().wireName());
    item.put("status", r.status().wireName());
    item.put("created_at", r.createdAt());
    item.put("expires_at", r.expiresAt().orElse(null));
    item.put("storage_bytes", r.storageBytes());
    item.put("storage_exceeded", r.storageExceeded());
    return item;
  }

  /** The shape older clients read from {@code /api/me/resources} and the claim preview. */
  public static Map<String, Object> brief(ResourceRecord r) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("id", r.id().toString());
    item.put("token", r.token().toString());
    item.put("resource_type", r.type().wireName());
    item.put("name", r.name());
    item.put("tier", r.tier().wireName());
    item.put("status", r.status().wireName());
    item.put("created_at", r.createdAt());
    item.put("expires_at", r.expiresAt().orElse(null));
    return item;
  }
}
