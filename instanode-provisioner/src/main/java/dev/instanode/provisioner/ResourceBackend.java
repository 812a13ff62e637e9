package dev.instanode.provisioner;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import java.util.List;
import java.util.OptionalLong;

/**
 * One kind of infrastructure. {@code namingToken} is the token the infrastructure is named after:
 * the resource token for a live provision, the pool token for a pooled one.
 */
public interface ResourceBackend {
  ResourceType type();

  /** Label for metrics: {@code shared} or {@code dedicated}. */
  String backendLabel();

  /**
   * Creates the infrastructure. On failure it throws {@link PartialProvisionException} naming where
   * the half-made objects live, so the caller can tear them down through the chokepoint.
   */
  ProvisionResult provision(String namingToken, Tier tier, RequestId requestId);

  /** The names {@link #drop} would remove; the DropGuard checks each before anything runs. */
  List<String> objectNames(String namingToken);

  /** Idempotent teardown. Only ever called by {@link DeprovisionChokepoint}. */
  void drop(String namingToken, String providerResourceId);

  RegradeResult regrade(String namingToken, String providerResourceId, Tier tier);

  /**
   * The connection cap {@link #regrade} enforces for {@code tier}, when it enforces one: lets a
   * caller that knows the cap in force skip a regrade that would change nothing.
   */
  default OptionalLong connectionLimit(Tier tier) {
    return OptionalLong.empty();
  }

  long storageBytes(String namingToken, String providerResourceId);

  /**
   * Replaces the password of the resource's role or user, closes the sessions that authenticated
   * with the old one, and returns the new connection URL (a secret).
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the role or user does not exist;
   *     nothing is created then
   */
  String rotateCredentials(String namingToken, String providerResourceId);
}
