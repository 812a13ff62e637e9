package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The verdict on an {@code assigned} pool item, decided from two separate reads: the item (from the
 * provisioner's database) and the resources row its {@code bound_token} names (from the platform
 * database). Nothing here may be decided from a failed read; the caller skips the pass instead.
 */
public final class PoolOrphanDecision {
  /** Same age the provisioner's reaper reports stuck items at. */
  public static final Duration GRACE = Duration.ofMinutes(30);

  public enum Verdict {
    /** Inside the grace period: a claim may still be binding it. */
    TOO_YOUNG,
    /** No non-terminal resources row owns it: its infrastructure is nobody's. */
    ORPHAN,
    /** A live resource owns it and names its pool token: stop tracking it, keep the infra. */
    RELEASE,
    /** Its resource is still pending: the provisioner reconciler settles that row first. */
    KEEP_PENDING,
    /** A live resource row does not name this item's pool token: never free or forget it. */
    KEEP_MISMATCH
  }

  public record Item(PoolToken poolToken, Instant assignedAt) {
    public Item {
      requireNonNull(poolToken, "poolToken is null");
      requireNonNull(assignedAt, "assignedAt is null");
    }
  }

  /** The resources row whose token is the item's {@code bound_token}. */
  public record Owner(ResourceStatus status, Optional<ProviderResourceId> providerResourceId) {
    public Owner {
      requireNonNull(status, "status is null");
      requireNonNull(providerResourceId, "providerResourceId is null");
    }
  }

  private PoolOrphanDecision() {}

  public static Verdict classify(Item item, Optional<Owner> owner, Instant now) {
    if (!item.assignedAt().isBefore(now.minus(GRACE))) {
      return Verdict.TOO_YOUNG;
    }
    if (owner.isEmpty() || owner.get().status().isTerminal()) {
      return Verdict.ORPHAN;
    }
    if (owner.get().status() == ResourceStatus.PENDING) {
      return Verdict.KEEP_PENDING;
    }
    boolean namesItem =
        owner
            .get()
            .providerResourceId()
            .flatMap(ProviderResourceId::pool)
            .filter(item.poolToken()::equals)
            .isPresent();
    return namesItem ? Verdict.RELEASE : Verdict.KEEP_MISMATCH;
  }
}
