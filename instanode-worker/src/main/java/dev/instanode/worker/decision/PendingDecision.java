package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceType;
import java.time.Duration;
import java.time.Instant;

/**
 * What to do with a resource stuck in {@code pending}. A row only counts as stuck once it is older
 * than the grace period, so a provision still in flight is never touched.
 *
 * <p>Only a row whose credentials were stored (encrypted URL and provider id) can be activated: a
 * row without them never reached its caller, so nobody can use what it made.
 */
public final class PendingDecision {
  public static final Duration GRACE = Duration.ofMinutes(5);

  public enum Verdict {
    /** The infrastructure is there and someone holds its credentials. */
    ACTIVATE,
    /** Tear down whatever exists (idempotent), then mark failed. */
    TEAR_DOWN,
    /** The probe could not tell; try again next run. */
    WAIT,
    /** No longer pending, or still inside the grace period. */
    NOT_STUCK
  }

  /** What the provisioner said about the infrastructure. */
  public enum Probe {
    NOT_PROBED,
    PRESENT,
    ABSENT,
    /** The probe failed or its answer cannot tell present from absent. */
    UNKNOWN;

    /**
     * Storage bytes as evidence, read through the kind's descriptor: a Postgres database always has
     * a non-zero size, so 0 means there is no database; an empty Redis keyspace also reports 0, so
     * 0 proves nothing for Redis.
     */
    public static Probe fromStorageBytes(ResourceType type, long bytes) {
      if (bytes > 0) {
        return PRESENT;
      }
      return switch (ResourceKinds.of(type).probe()) {
        case ZERO_MEANS_ABSENT -> ABSENT;
        case ZERO_PROVES_NOTHING -> UNKNOWN;
      };
    }
  }

  public record Facts(ResourceStatus status, Instant createdAt, boolean hasStoredCredentials) {
    public Facts {
      requireNonNull(status, "status is null");
      requireNonNull(createdAt, "createdAt is null");
    }
  }

  private PendingDecision() {}

  /** True when {@link #classify} needs a probe result to decide. */
  public static boolean needsProbe(Facts row, Instant now) {
    return isStuck(row, now) && row.hasStoredCredentials();
  }

  public static Verdict classify(Facts row, Probe probe, Instant now) {
    if (!isStuck(row, now)) {
      return Verdict.NOT_STUCK;
    }
    if (!row.hasStoredCredentials()) {
      return Verdict.TEAR_DOWN;
    }
    return switch (probe) {
      case PRESENT -> Verdict.ACTIVATE;
      case ABSENT -> Verdict.TEAR_DOWN;
      case UNKNOWN, NOT_PROBED -> Verdict.WAIT;
    };
  }

  private static boolean isStuck(Facts row, Instant now) {
    return row.status() == ResourceStatus.PENDING && row.createdAt().isBefore(now.minus(GRACE));
  }
}
