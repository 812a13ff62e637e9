package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a resource's infrastructure lives, as the provisioner reported it: a backend reference
 * ({@code local:0}) and, for a resource handed out of the hot pool, the pool token its objects are
 * named after. Stored as one text column ({@code local:0;pooltok:pool-<uuid>}); parsed once where
 * it is read, so later calls cannot forget the pool part and aim at the resource token instead.
 */
public record ProviderResourceId(String backendRef, Optional<PoolToken> pool) {
  private static final String POOL_PART = "pooltok:";

  /** A resource whose provisioner reported nothing yet (a pending row). */
  public static final ProviderResourceId NONE = new ProviderResourceId("", Optional.empty());

  public ProviderResourceId {
    requireNonNull(backendRef, "backendRef is null");
    requireNonNull(pool, "pool is null");
    if (backendRef.contains(POOL_PART)) {
      throw new IllegalArgumentException("the backend reference holds a pool part");
    }
  }

  public static ProviderResourceId of(String backendRef) {
    return new ProviderResourceId(backendRef, Optional.empty());
  }

  /**
   * Parses the stored text. Parts are separated by {@code ;}; the {@code pooltok:} part names the
   * pool token and every other part is the backend reference.
   *
   * @throws IllegalArgumentException when the pool part is not a pool token
   */
  public static ProviderResourceId parse(String wire) {
    requireNonNull(wire, "wire is null");
    Optional<PoolToken> pool = Optional.empty();
    List<String> rest = new ArrayList<>();
    for (String part : wire.split(";", -1)) {
      if (part.startsWith(POOL_PART)) {
        pool = Optional.of(new PoolToken(part.substring(POOL_PART.length())));
      } else if (!part.isEmpty()) {
        rest.add(part);
      }
    }
    return new ProviderResourceId(String.join(";", rest), pool);
  }

  /** The same place, handed out of the pool as the item named {@code poolToken}. */
  public ProviderResourceId pooled(PoolToken poolToken) {
    return new ProviderResourceId(backendRef, Optional.of(poolToken));
  }

  /** The key the infrastructure is named after: the pool token if pooled, else the resource's. */
  public InfraKey namingKey(ResourceToken resource) {
    return pool.<InfraKey>map(p -> p).orElse(resource);
  }

  public boolean isEmpty() {
    return backendRef.isEmpty() && pool.isEmpty();
  }

  /** The stored text: {@code local:0}, {@code local:0;pooltok:pool-<uuid>}. */
  public String wire() {
    return pool.map(p -> backendRef.isEmpty() ? POOL_PART + p : backendRef + ";" + POOL_PART + p)
        .orElse(backendRef);
  }

  /** The stored text with its pool token masked like any token, for logs. */
  public String masked() {
    return pool.map(p ->
            backendRef.isEmpty()
                ? POOL_PART + p.masked()
                : backendRef + ";" + POOL_PART + p.masked())
        .orElse(backendRef);
  }

  @Override
  public String toString() {
    return masked();
  }
}
