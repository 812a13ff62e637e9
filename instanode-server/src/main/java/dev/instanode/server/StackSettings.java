package dev.instanode.server;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * Where stacks run and how they are reached.
 *
 * @param domain exposed services are published at {@code <svc>-<slug>.<domain>}
 * @param resourceHost the host pods reach resources at, when it differs from their URLs'
 */
record StackSettings(Mode mode, String domain, Optional<String> resourceHost) {
  StackSettings {
    requireNonNull(mode, "mode is null");
    requireNonNull(domain, "domain is null");
    requireNonNull(resourceHost, "resourceHost is null");
  }

  /** {@code KUBERNETES_MODE}. */
  enum Mode {
    /** The cluster the environment names, if any; none found means off. */
    AUTO,
    OFF,
    /** fabric8's mock API server in this process: the lifecycle runs, no container does. */
    SIMULATED;

    static Mode parse(String raw) {
      try {
        return valueOf(raw.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("must be auto, off or simulated");
      }
    }
  }

  /** A DNS name: lower-case labels of letters, digits and '-', joined by dots. */
  static String domain(String raw) {
    if (!raw.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
        || raw.length() > 200) {
      throw new IllegalArgumentException("must be a DNS name such as apps.example.com");
    }
    return raw;
  }
}
