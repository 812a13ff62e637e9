package dev.instanode.provisioner.engine;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.UsageReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One kind of infrastructure. {@code key} is what the infrastructure is named after: the resource
 * token for a live provision, the pool token for a pooled one; {@code providerResourceId} is where
 * it lives, as the provision reported it.
 */
public interface ResourceBackend {
  ResourceType type();

  /** Label for metrics: {@code shared} or {@code dedicated}. */
  String backendLabel();

  /**
   * Creates the infrastructure. On failure it throws {@link PartialProvisionException} naming where
   * the half-made objects live, so the caller can tear them down through the chokepoint.
   */
  ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId);

  /** The names {@link #drop} would remove; the DropGuard checks each before anything runs. */
  List<InfraName> objectNames(InfraKey key);

  /** Idempotent teardown. Only ever called by {@link DeprovisionChokepoint}. */
  void drop(InfraKey key, ProviderResourceId providerResourceId);

  RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier);

  /** The connection cap {@link #regrade} enforces for {@code tier}, when it enforces one. */
  default OptionalLong connectionLimit(Tier tier) {
    return OptionalLong.empty();
  }

  /**
   * Everything {@link #regrade} would set for {@code tier}, as one comparable text, when regrade
   * sets anything: a resource made with an equal grade needs no regrade to {@code tier}.
   */
  default Optional<String> grade(Tier tier) {
    return Optional.empty();
  }

  /** Every tenant of this backend, measured in one pass whose work is bounded. */
  UsageReport usage();

  /**
   * Every tenant's objects on this backend, by the key their names carry, each with the creation
   * time written on it when it was made. Read whole or not at all: a failed read throws.
   */
  List<InventoryItem> inventory();

  /**
   * Stops ({@code blocked}) or gives back the tenant's writes, leaving its reads and the means to
   * free space; idempotent. True when this call changed anything.
   */
  boolean setWritesBlocked(InfraKey key, ProviderResourceId providerResourceId, boolean blocked);

  /**
   * Deletes what the tenant holds beyond {@code keepBytes}, measured now, when the backend is a
   * cache whose shared server is short of room; returns what was freed. A backend that holds data,
   * not a cache, sheds nothing and returns 0.
   */
  long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes);

  /** Closes the tenant's connections beyond {@code cap}, newest first; returns how many. */
  int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap);

  /**
   * Ends tenants' work past their bounds (long statements, idle transactions), where it has any.
   *
   * @param bounds each tenant's bounds by its key; {@code otherwise} for any other tenant
   */
  RunawayResult stopRunawayWork(Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise);

  long storageBytes(InfraKey key, ProviderResourceId providerResourceId);

  /**
   * Replaces the password of the resource's role or user, closes the sessions that authenticated
   * with the old one, and returns the new connection URL (a secret).
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the role or user does not exist;
   *     nothing is created then
   */
  String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId);

  /**
   * Makes (or, bound again, gives a new password to) the binding's own login on the resource, with
   * the resource's rights and limits, and returns its connection URL (a secret).
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the resource's role or user does not
   *     exist (nothing is created then), or the backend has no logins to bind
   */
  default String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    throw noBindings();
  }

  /**
   * Ends the binding login's sessions and drops it; idempotent. Only ever called by {@link
   * DeprovisionChokepoint}.
   */
  default void dropBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    throw noBindings();
  }

  /**
   * Every binding login of the resource the infrastructure still holds. The resource's drop lists
   * them once its own objects are gone and drops them too, so no login outlives its resource. A
   * backend without bindings has none; a failed read throws.
   */
  default List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId providerResourceId) {
    return List.of();
  }

  private ProvisionerException noBindings() {
    return new ProvisionerException(
        ProvisionerException.Kind.INVALID_ARGUMENT,
        type().wireName() + " resources have no logins to bind",
        null);
  }
}
