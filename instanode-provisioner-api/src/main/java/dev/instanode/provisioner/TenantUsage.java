package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/**
 * What one tenant of a backend uses right now.
 *
 * @param key the key its infrastructure is named after: the resource token, or the pool token of a
 *     pooled resource
 * @param bytes storage (Postgres) or memory (Redis) in use
 * @param exact {@code bytes} was measured, not estimated from a sample: an estimate may select a
 *     tenant for a closer look, but nothing is stopped or shed on an estimate alone
 * @param keys keys it holds (Redis), or -1 where that means nothing
 * @param connections connections open as this tenant
 * @param writesBlocked its writes are stopped now (over its limit)
 */
public record TenantUsage(
    InfraKey key, long bytes, boolean exact, long keys, int connections, boolean writesBlocked) {
  public TenantUsage {
    requireNonNull(key, "key is null");
  }
}
