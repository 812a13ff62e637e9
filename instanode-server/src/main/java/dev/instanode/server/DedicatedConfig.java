package dev.instanode.server;

import static java.util.Objects.requireNonNull;

import dev.instanode.cluster.ServiceAddresses;
import dev.instanode.provisioner.dedicated.DedicatedSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Dedicated servers ({@code DEDICATED_*}): whether a plan that has them gets them here, and how
 * they run.
 *
 * @param publicHost set: Services are NodePorts and customers (and the provisioner) connect to this
 *     host at the node port; unset: they are reached at the cluster's DNS name, from inside it
 */
record DedicatedConfig(
    Mode mode,
    String postgresImage,
    String redisImage,
    Duration readyTimeout,
    Optional<String> publicHost,
    Optional<String> storageClass) {
  /**
   * Below the gRPC provision deadline (4 min) and the reconciler's pending grace (5 min), so a
   * provision still waiting is never taken for one abandoned.
   */
  static final Duration MAX_READY_TIMEOUT = Duration.ofSeconds(210);

  static final Duration MIN_READY_TIMEOUT = Duration.ofSeconds(1);

  DedicatedConfig {
    requireNonNull(mode, "mode is null");
    requireNonNull(postgresImage, "postgresImage is null");
    requireNonNull(redisImage, "redisImage is null");
    requireNonNull(readyTimeout, "readyTimeout is null");
    requireNonNull(publicHost, "publicHost is null");
    requireNonNull(storageClass, "storageClass is null");
  }

  /** {@code DEDICATED_BACKENDS}. */
  enum Mode {
    /** On when the provisioner has a real cluster (never the simulated one, where no pod runs). */
    AUTO,
    OFF;

    static Mode parse(String raw) {
      try {
        return valueOf(raw.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("must be auto or off");
      }
    }
  }

  static Duration readyTimeout(Duration value) {
    if (value.compareTo(MIN_READY_TIMEOUT) < 0 || value.compareTo(MAX_READY_TIMEOUT) > 0) {
      throw new IllegalArgumentException("must be between 1s and 3m30s");
    }
    return value;
  }

  DedicatedSettings settings() {
    return new DedicatedSettings(
        postgresImage,
        redisImage,
        readyTimeout,
        Duration.ofMillis(Math.min(2_000, Math.max(100, readyTimeout.toMillis() / 20))),
        storageClass,
        publicHost.isPresent());
  }

  ServiceAddresses addresses() {
    return publicHost.map(ServiceAddresses::nodePorts).orElseGet(ServiceAddresses::clusterDns);
  }
}
