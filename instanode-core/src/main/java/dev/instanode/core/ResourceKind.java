package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything that differs between kinds of resource, in one place: code that varies by kind reads
 * this instead of branching on the type. Adding a kind means a backend, a descriptor in {@link
 * ResourceKinds}, a {@code plans.yaml} block and one migration value.
 *
 * @param route where an anonymous caller asks for one ({@code POST})
 * @param envVar the variable a stack service gets its URL in; repeats take {@code _2}, {@code _3}
 * @param size what its size limit measures
 * @param connectionCap what its plan's connection limit means to the backend
 * @param probe what a storage reading says about whether it exists
 * @param poolSizeSetting the setting that sizes its hot pool; empty for a kind with no pool
 * @param enforcement where its size limit is held
 * @param namePrefixes what every name of its infrastructure starts with
 * @param backend the label of its backend in metrics and audit rows
 * @param limits its block of a tier's plan
 * @param password whether its URL carries a password the platform can rotate
 * @param teamCap how many live ones a team may hold, and the refusal past it; empty: no count
 */
public record ResourceKind(
    ResourceType type,
    String route,
    String envVar,
    Size size,
    ConnectionCap connectionCap,
    Probe probe,
    Optional<String> poolSizeSetting,
    Enforcement enforcement,
    List<String> namePrefixes,
    String backend,
    Function<Plan, Limits> limits,
    boolean password,
    Optional<TeamCap> teamCap) {

  /** A bound on how many a team holds at once, and the error past it. */
  public record TeamCap(Function<Plan, Long> limit, ErrorCode refusal) {}

  /** What the size limit measures, and how a reply names it. */
  public enum Size {
    STORAGE("storage", "storage_mb"),
    MEMORY("memory", "memory_mb"),
    /** How many received requests it keeps. */
    REQUESTS("requests", "requests_stored"),
    /** Nothing it holds is sized (a queue without JetStream keeps no messages). */
    NONE("nothing", "");

    private final String noun;
    private final String field;

    Size(String noun, String field) {
      this.noun = noun;
      this.field = field;
    }

    public String noun() {
      return noun;
    }

    /** The field of {@code limits} in a provision reply. */
    public String field() {
      return field;
    }
  }

  /** What the plan's connection limit is to the backend. */
  public enum ConnectionCap {
    /**
     * A setting on the tenant's role that regrade changes and the server enforces; the platform
     * records the cap in force and the entitlement reconciler corrects drift.
     */
    ROLE_SETTING,
    /** Nothing the server holds: the limits job closes connections over it, newest first. */
    CLOSED_OVER_LIMIT,
    /** It has no connections (a webhook receiver is written to over HTTP). */
    NONE
  }

  /** Where the size limit is held. */
  public enum Enforcement {
    /** The limits job measures every tenant each pass and acts on what it finds. */
    MEASURED,
    /**
     * Every write holds it as it lands (a receiver drops its oldest request as it stores one; an
     * upload is presigned only while it fits).
     */
    ON_WRITE
  }

  /** What zero bytes from a storage reading says. */
  public enum Probe {
    /** It always occupies some space, so zero bytes means it is not there. */
    ZERO_MEANS_ABSENT,
    /** Empty is a normal state, so zero bytes proves nothing. */
    ZERO_PROVES_NOTHING
  }

  /** One kind's limits at one tier; {@code -1} means unlimited. */
  public record Limits(long sizeMb, long connections) {}

  public ResourceKind {
    requireNonNull(type, "type is null");
    requireNonNull(route, "route is null");
    requireNonNull(envVar, "envVar is null");
    requireNonNull(size, "size is null");
    requireNonNull(connectionCap, "connectionCap is null");
    requireNonNull(probe, "probe is null");
    requireNonNull(poolSizeSetting, "poolSizeSetting is null");
    requireNonNull(enforcement, "enforcement is null");
    namePrefixes = List.copyOf(requireNonNull(namePrefixes, "namePrefixes is null"));
    requireNonNull(backend, "backend is null");
    requireNonNull(limits, "limits is null");
    requireNonNull(teamCap, "teamCap is null");
  }

  public Limits limits(Plan plan) {
    return limits.apply(plan);
  }
}
