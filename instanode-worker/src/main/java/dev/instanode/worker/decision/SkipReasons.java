package dev.instanode.worker.decision;

import java.util.List;
import java.util.Locale;

/**
 * Which regrade skips are fine, and a bounded label for the ones that are not. A skip outside the
 * allowlist means the change did not land, so it must retry and never count as applied.
 */
public final class SkipReasons {
  /** Substrings (case-insensitive) of acceptable skip reasons. */
  public static final List<String> ALLOWED =
      List.of("already correct", "unsupported resource type", "backend does not support");

  /** The {@code skip_reason} metric label: a fixed set, whatever the backend says. */
  public enum Bucket {
    POSTGRES_ADMIN_SECRET_MISSING,
    REDIS_AUTH_SECRET_MISSING,
    NAMESPACE_NOT_FOUND,
    POD_NOT_FOUND,
    RESOURCE_NOT_REACHABLE,
    LEGACY_RESOURCE,
    OTHER;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private SkipReasons() {}

  public static boolean isAllowed(String reason) {
    if (reason == null) {
      return false;
    }
    String r = reason.toLowerCase(Locale.ROOT);
    return ALLOWED.stream().anyMatch(r::contains);
  }

  public static Bucket bucket(String reason) {
    String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
    boolean missing =
        r.contains("missing")
            || r.contains("not found")
            || r.contains("does not exist")
            || r.contains("absent");
    if (r.contains("secret") && r.contains("postgres") && r.contains("admin")) {
      return Bucket.POSTGRES_ADMIN_SECRET_MISSING;
    }
    if (r.contains("secret") && r.contains("redis") && (r.contains("auth") || r.contains("pass"))) {
      return Bucket.REDIS_AUTH_SECRET_MISSING;
    }
    if (r.contains("pod") && missing) {
      return Bucket.POD_NOT_FOUND;
    }
    if (r.contains("namespace") && missing) {
      return Bucket.NAMESPACE_NOT_FOUND;
    }
    if (r.contains("unreachable")
        || r.contains("not reachable")
        || r.contains("connection refused")
        || r.contains("timed out")
        || r.contains("timeout")) {
      return Bucket.RESOURCE_NOT_REACHABLE;
    }
    if (r.contains("legacy")) {
      return Bucket.LEGACY_RESOURCE;
    }
    return Bucket.OTHER;
  }
}
