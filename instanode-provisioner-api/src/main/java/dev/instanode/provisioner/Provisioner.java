package dev.instanode.provisioner;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, drops, regrades and measures customer infrastructure. The api and the worker never touch
 * a customer cluster except through this boundary; it runs in-process or behind gRPC.
 *
 * <p>Every method either does what it says or throws {@link ProvisionerException}; a failed {@link
 * #provision} leaves nothing behind.
 */
public interface Provisioner {
  /**
   * A pre-made resource from the hot pool, bound to the request's token and regraded to its tier;
   * empty when no ready item could be handed out. The pool's own row tracks the infrastructure
   * until the caller records its resource, so no pending row is needed first: an item whose
   * resource never gets recorded is found by the worker's pool orphan pass.
   */
  default Optional<ProvisionResult> claimPooled(ProvisionRequest request) {
    return Optional.empty();
  }

  /**
   * The resource types this provisioner can give their own server ({@link
   * ProvisionRequest#dedicatedFor}); empty when it has no cluster for them. A plan that asks for
   * dedicated resources falls back to the shared backend for any other type.
   */
  default Set<ResourceType> dedicatedTypes() {
    return Set.of();
  }

  /**
   * Creates the resource now, never from the pool. Record a pending resource first: a crash after
   * this returns must leave a row that names the infrastructure.
   */
  ProvisionResult provision(ProvisionRequest request);

  /** Idempotent: dropping something already gone succeeds. */
  void deprovision(DeprovisionRequest request);

  RegradeResult regrade(RegradeRequest request);

  long storageBytes(StorageRequest request);

  /**
   * Gives the resource a new password and ends every session opened with the old one, so the old
   * URL stops working at once. Host, port, database and user stay the same.
   *
   * <p>Not atomic across failures: once this has been called, presume the old URL dead even if it
   * threw, and retry until a new URL comes back.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the resource's role or user does not
   *     exist
   */
  RotateResult rotateCredentials(RotateRequest request);

  /**
   * A login of the binding's own on the resource, with the same rights as the resource's login and
   * the same limits: for Postgres a role that is a member of the resource's role, for Redis an ACL
   * user confined to the same key prefix. Binding the same key again gives its login a new password
   * (its old sessions end); the resource's own credentials and every other binding stay as they
   * are.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the resource's infrastructure does
   *     not exist or its type has no logins to bind
   */
  BindingResult createBinding(BindingRequest request);

  /**
   * Ends the binding login's sessions and drops it, through the audited chokepoint, and nothing
   * else of the resource. Idempotent: a binding already gone, or a resource already dropped,
   * succeeds.
   */
  void dropBinding(BindingRequest request);

  /** Every tenant of a type, measured in one pass of bounded work (see {@link UsageReport}). */
  UsageReport usage(UsageRequest request);

  /**
   * Every tenant's infrastructure a backend holds, whoever's it is, with its age: what a sweep
   * compares with the rows that name it. Throws when it could not be read whole.
   */
  InventoryReport inventory(InventoryRequest request);

  /**
   * Drops, through the audited chokepoint, the infrastructure of a key an inventory sweep found
   * orphaned. The caller re-confirms from a fresh read that no platform row names the key right
   * before calling; the provisioner refuses a key a pool item tracks.
   *
   * @return false when a pool item tracks the key; nothing was dropped then
   * @throws ProvisionerException when the drop failed
   */
  boolean reapOrphan(OrphanReapRequest request);

  /**
   * Holds one resource to its limits now: its writes stopped or given back, its connections over
   * the cap closed, newest first. Idempotent.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when its infrastructure does not exist
   */
  LimitsResult enforceLimits(LimitsRequest request);

  /**
   * Ends tenants' work past their plan's bounds (statements past their timeout, transactions idle
   * too long) everywhere the type's backend runs.
   */
  RunawayResult stopRunawayWork(RunawayRequest request);

  /**
   * The oldest hot-pool items handed out before {@code cutoff} and still tracked; empty where there
   * is no pool.
   */
  default List<AssignedPoolItem> assignedPoolItems(Instant cutoff, int limit) {
    return List.of();
  }

  /**
   * Stops tracking an item its resource now owns; the infrastructure stays. False when the item is
   * no longer assigned to the same resource (another pass or a drop got there first).
   */
  default boolean releasePoolItem(AssignedPoolItem item) {
    return false;
  }

  /**
   * Drops an orphaned item's infrastructure through the audited chokepoint, then forgets its row.
   * The row stays locked across both, so two passes never act on one item; it is deleted only after
   * the drop succeeded. The caller re-confirms, from a fresh read, that no live resource owns the
   * item right before calling.
   *
   * @return false when the item is no longer assigned to the same resource, or is held by another
   *     pass; nothing was dropped then
   * @throws ProvisionerException when the drop failed; the row is kept for the next pass
   */
  default boolean reapPoolItem(AssignedPoolItem item, String reason, RequestId requestId) {
    return false;
  }
}
