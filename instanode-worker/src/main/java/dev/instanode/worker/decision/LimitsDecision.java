package dev.instanode.worker.decision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Limit;
import java.util.Optional;

/**
 * What to do about one resource's plan limits, from what its backend measured. Writes are stopped
 * over the storage (or memory) limit and given back once under it; connections over the cap are
 * closed. Decided on the live state the backend reported, not on what the platform row last said,
 * so a drift between the two is repaired the next pass.
 *
 * <p>An incomplete measurement holds lower bounds: enough to prove a resource is over its limit,
 * never enough to prove it is back under, nor that its infrastructure is gone.
 *
 * <p>Stopping writes does not give back what a resource already holds. When the shared server is
 * short of room, what a resource holds beyond its plan is shed (by a backend that is a cache; a
 * database never sheds), so that one tenant over its plan cannot keep every other tenant from
 * writing.
 */
public final class LimitsDecision {
  /** A plan's limits for the resource; -1 = none. */
  public record Limits(long bytes, long connections) {}

  /** What the backend measured for the name the resource's infrastructure carries. */
  public record Measured(long bytes, int connections, boolean writesBlocked) {}

  public enum Writes {
    /** Over its limit with writes still allowed: stop them. */
    BLOCK,
    /** Back under its limit with writes stopped: give them back. */
    RESTORE,
    /** Leave them as they are. */
    KEEP
  }

  /**
   * @param writes what to do about writes
   * @param writesBlocked the state writes should be in after this pass
   * @param closeConnections connections are over the cap
   * @param shedExcess what it holds beyond its plan is to be shed (the backend measures how much
   *     once its writes are stopped)
   * @param storageBytes the figure to record, when the measurement was exact
   * @param missing a complete measurement did not find the resource's infrastructure
   */
  public record Verdict(
      Writes writes,
      boolean writesBlocked,
      boolean closeConnections,
      boolean shedExcess,
      Optional<Long> storageBytes,
      boolean missing) {
    public Verdict {
      requireNonNull(writes, "writes is null");
      requireNonNull(storageBytes, "storageBytes is null");
    }

    /** Writes change state or something is shed: what an estimate must never decide alone. */
    public boolean changesState() {
      return writes != Writes.KEEP || shedExcess;
    }

    /** Anything for the backend to do. */
    public boolean needsEnforcing() {
      return writes != Writes.KEEP || closeConnections || shedExcess;
    }
  }

  private LimitsDecision() {}

  /**
   * @param underPressure the shared server is short of room (see {@code UsageReport})
   */
  public static Verdict decide(
      Limits limits, Optional<Measured> measured, boolean complete, boolean underPressure) {
    if (measured.isEmpty()) {
      return new Verdict(Writes.KEEP, false, false, false, Optional.empty(), complete);
    }
    Measured m = measured.get();
    boolean over = !Limit.isUnlimited(limits.bytes()) && m.bytes() > limits.bytes();
    Writes writes;
    if (over && !m.writesBlocked()) {
      writes = Writes.BLOCK;
    } else if (!over && m.writesBlocked() && complete) {
      writes = Writes.RESTORE;
    } else {
      writes = Writes.KEEP;
    }
    boolean blocked = writes == Writes.BLOCK || (writes == Writes.KEEP && m.writesBlocked());
    boolean overConnections =
        !Limit.isUnlimited(limits.connections()) && m.connections() > limits.connections();
    return new Verdict(
        writes,
        blocked,
        overConnections,
        over && underPressure,
        complete ? Optional.of(m.bytes()) : Optional.empty(),
        false);
  }
}
