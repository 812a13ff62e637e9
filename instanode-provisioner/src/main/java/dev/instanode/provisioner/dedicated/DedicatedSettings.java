package dev.instanode.provisioner.dedicated;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How dedicated servers are run.
 *
 * @param readyTimeout how long a provision waits for the server's pod to be Ready and the tenant's
 *     credentials to work, before it tears everything down and fails
 * @param pollInterval how often it looks meanwhile
 * @param storageClass the volumes' storage class; empty for the cluster's default
 * @param nodePort the Services are NodePorts (customers outside the cluster connect through a node)
 */
public record DedicatedSettings(
    String postgresImage,
    String redisImage,
    Duration readyTimeout,
    Duration pollInterval,
    Optional<String> storageClass,
    boolean nodePort) {
  public static final String DEFAULT_POSTGRES_IMAGE = "pgvector/pgvector:pg16";
  public static final String DEFAULT_REDIS_IMAGE = "redis:7-alpine";
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(3);

  public DedicatedSettings {
    requireNonNull(postgresImage, "postgresImage is null");
    requireNonNull(redisImage, "redisImage is null");
    requireNonNull(storageClass, "storageClass is null");
    if (!readyTimeout.isPositive() || !pollInterval.isPositive()) {
      throw new IllegalArgumentException("dedicated waits must be positive");
    }
  }
}
