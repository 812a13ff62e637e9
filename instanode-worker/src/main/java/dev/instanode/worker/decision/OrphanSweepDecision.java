package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The verdict on one tenant namespace the cluster listed, for {@code orphan_sweep}. Each namespace
 * is keyed by the name it carries (seed 000: the sweep that keyed stacks by their id reaped every
 * live one): a stack namespace by itself, as {@code stacks.namespace} holds it; a customer
 * namespace by the resource token after its prefix. The caller reads the live set for those keys
 * after it listed the namespaces, and never classifies from a read that failed.
 */
public final class OrphanSweepDecision {
  /**
   * A resources row in one of these owns its namespace. {@code pending} is a provision in flight;
   * {@code deleting} is a delete whose own path (the provisioner reconciler) tears it down, then
   * records it: never raced by the sweep.
   */
  public static final Set<ResourceStatus> LIVE_RESOURCE =
      EnumSet.of(
          ResourceStatus.PENDING,
          ResourceStatus.ACTIVE,
          ResourceStatus.PAUSED,
          ResourceStatus.SUSPENDED,
          ResourceStatus.DELETING);

  /** Why something is an orphan; its name is the bounded metric label. */
  public enum Reason {
    /** An {@code instant-stack-*} namespace no stacks row names. */
    STACK_NO_ROW,
    /** An {@code instant-customer-*} namespace whose token has no live resources row. */
    CUSTOMER_NO_ROW,
    /** A stack deploying for over 30 minutes whose every pod cannot pull or keeps crashing. */
    FAILED_BUILD,
    /**
     * A namespace whose row belongs to a tombstoned team: {@code team_deletion} missed it (it was
     * made as the team was being deleted). Such a row owns nothing any more.
     */
    TEAM_TOMBSTONED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the live set says of a namespace's key. */
  public enum Liveness {
    /** A live row names it. */
    LIVE,
    /** No row names it, or only rows that own nothing any more. */
    NO_LIVE_ROW,
    /** Its name carries no key of ours, so no row could ever name it. */
    UNKEYED
  }

  public enum Verdict {
    ORPHAN,
    LIVE,
    /** Younger than the grace: a provision or deploy may still be recording its row. */
    TOO_YOUNG,
    /** Its age could not be read: never taken for an old one. */
    AGE_UNKNOWN,
    /** Being deleted already. */
    TERMINATING,
    /** Our prefix, but not our label or not our name shape: left for a person. */
    NOT_OURS
  }

  /**
   * One namespace as listed.
   *
   * @param createdAt its {@code creationTimestamp}; empty when unreadable
   * @param managedByUs labelled {@code app.kubernetes.io/managed-by=instanode}
   * @param terminating its deletion has begun
   */
  public record Listed(
      NamespaceName name, Optional<Instant> createdAt, boolean managedByUs, boolean terminating) {
    public Listed {
      requireNonNull(name, "name is null");
      requireNonNull(createdAt, "createdAt is null");
    }
  }

  private OrphanSweepDecision() {}

  /**
   * The value of {@code stacks.namespace} a row would hold for this namespace: the name itself,
   * when it is a slug's ({@code instant-stack-stk-<8 hex>}). Empty for any other name, which no row
   * can hold (the schema ties the namespace to the slug).
   */
  public static Optional<NamespaceName> stackKey(NamespaceName name) {
    String prefix = NamespaceName.Kind.STACK.prefix();
    if (!name.value().startsWith(prefix)) {
      return Optional.empty();
    }
    return StackSlug.parse(name.value().substring(prefix.length()))
        .map(NamespaceName::forStack)
        .filter(name::equals);
  }

  /**
   * The resource token a customer namespace carries; empty unless the name is exactly {@link
   * NamespaceName#forCustomer} of it (a lenient parse must not key two names to one token).
   */
  public static Optional<ResourceToken> customerKey(NamespaceName name) {
    String prefix = NamespaceName.Kind.CUSTOMER.prefix();
    if (!name.value().startsWith(prefix)) {
      return Optional.empty();
    }
    return ResourceToken.parse(name.value().substring(prefix.length()))
        .filter(token -> NamespaceName.forCustomer(token).equals(name));
  }

  /** A stack namespace is live while any stacks row names it, whatever that row's status. */
  public static Liveness stackLiveness(boolean rowNamesIt) {
    return rowNamesIt ? Liveness.LIVE : Liveness.NO_LIVE_ROW;
  }

  /** A customer namespace is live while its token's row is in {@link #LIVE_RESOURCE}. */
  public static Liveness customerLiveness(Optional<ResourceStatus> rowStatus) {
    return rowStatus.filter(LIVE_RESOURCE::contains).isPresent()
        ? Liveness.LIVE
        : Liveness.NO_LIVE_ROW;
  }

  /**
   * @param liveness what the rows say; null when the evidence said nothing about this name, which
   *     is no licence to delete it: it is kept as if live
   * @param grace nothing younger than this is an orphan; exactly this old is
   */
  public static Verdict classify(Listed ns, Liveness liveness, Instant now, Duration grace) {
    if (!ns.managedByUs() || liveness == Liveness.UNKEYED) {
      return Verdict.NOT_OURS;
    }
    if (liveness == null || liveness == Liveness.LIVE) {
      return Verdict.LIVE;
    }
    if (ns.terminating()) {
      return Verdict.TERMINATING;
    }
    if (ns.createdAt().isEmpty()) {
      return Verdict.AGE_UNKNOWN;
    }
    if (ns.createdAt().get().isAfter(now.minus(grace))) {
      return Verdict.TOO_YOUNG;
    }
    return Verdict.ORPHAN;
  }
}
