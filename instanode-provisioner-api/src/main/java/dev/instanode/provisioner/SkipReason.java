package dev.instanode.provisioner;

import java.util.Locale;

/**
 * Why a regrade changed nothing. A backend says it as a code (carried over gRPC), with text beside
 * it for people; callers decide on the code, never on the text.
 */
public enum SkipReason {
  /** The resource already has the tier's caps. */
  ALREADY_CORRECT(true),
  /** This resource type has no regrade. */
  UNSUPPORTED_TYPE(true),
  /** This backend cannot regrade (the shared Redis: memory is shared, the plan is enforced). */
  BACKEND_UNSUPPORTED(true),
  POSTGRES_ADMIN_SECRET_MISSING(false),
  REDIS_AUTH_SECRET_MISSING(false),
  NAMESPACE_NOT_FOUND(false),
  POD_NOT_FOUND(false),
  RESOURCE_NOT_REACHABLE(false),
  LEGACY_RESOURCE(false),
  OTHER(false);

  private final boolean expected;

  SkipReason(boolean expected) {
    this.expected = expected;
  }

  /**
   * True when skipping is a fine answer. Otherwise the change did not land: it is a failure that
   * retries and never counts as applied (seed 004).
   */
  public boolean expected() {
    return expected;
  }

  /** The {@code skip_reason} metric label: a fixed set. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The code for a reason that came as text only (a provisioner older than the code): the seed 004
   * rules, by case-insensitive substring. Unknown text is {@link #OTHER}, never an expected skip.
   */
  public static SkipReason fromText(String text) {
    String r = text == null ? "" : text.toLowerCase(Locale.ROOT);
    if (r.contains("already correct")) {
      return ALREADY_CORRECT;
    }
    if (r.contains("unsupported resource type")) {
      return UNSUPPORTED_TYPE;
    }
    if (r.contains("backend does not support")) {
      return BACKEND_UNSUPPORTED;
    }
    boolean missing =
        r.contains("missing")
            || r.contains("not found")
            || r.contains("does not exist")
            || r.contains("absent");
    if (r.contains("secret") && r.contains("postgres") && r.contains("admin")) {
      return POSTGRES_ADMIN_SECRET_MISSING;
    }
    if (r.contains("secret") && r.contains("redis") && (r.contains("auth") || r.contains("pass"))) {
      return REDIS_AUTH_SECRET_MISSING;
    }
    if (r.contains("pod") && missing) {
      return POD_NOT_FOUND;
    }
    if (r.contains("namespace") && missing) {
      return NAMESPACE_NOT_FOUND;
    }
    if (r.contains("unreachable")
        || r.contains("not reachable")
        || r.contains("connection refused")
        || r.contains("timed out")
        || r.contains("timeout")) {
      return RESOURCE_NOT_REACHABLE;
    }
    if (r.contains("legacy")) {
      return LEGACY_RESOURCE;
    }
    return OTHER;
  }
}
