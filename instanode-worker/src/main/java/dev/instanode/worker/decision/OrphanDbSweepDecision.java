package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceType;
import java.util.Locale;
import java.util.Optional;

/**
 * What an orphaned {@code instant-customer-<token>} namespace held, for {@code orphan_db_sweep}
 * (seed 001). Whether it is an orphan at all is {@link OrphanSweepDecision}'s verdict, the same
 * rules as {@code orphan_sweep}'s customer pass.
 */
public final class OrphanDbSweepDecision {
  /** The candidate's kind; its name is the bounded metric label. */
  public enum Kind {
    /** The latest deleted or expired row for its token was not Redis, or there is none. */
    CUSTOMER_NAMESPACE,
    /** The latest deleted or expired row for its token was Redis. */
    REDIS_NAMESPACE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private OrphanDbSweepDecision() {}

  /**
   * @param latestEnded the type of the latest {@code deleted} or {@code expired} row for the
   *     namespace's token; empty when there is none
   */
  public static Kind kindOf(Optional<ResourceType> latestEnded) {
    requireNonNull(latestEnded, "latestEnded is null");
    return latestEnded.filter(t -> t == ResourceType.REDIS).isPresent()
        ? Kind.REDIS_NAMESPACE
        : Kind.CUSTOMER_NAMESPACE;
  }
}
