package dev.instanode.provisioner.grpc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long the client waits for each kind of call before treating the provisioner as unavailable.
 *
 * @param provision ProvisionResource: creating a database can queue behind others on a busy cluster
 * @param call ClaimPooledResource, DeprovisionResource, GetStorageBytes, RegradeResource and
 *     RotateCredentials, CreateBinding and DropBinding
 * @param health the readiness check, short so a probe answers before its own timeout
 */
public record Deadlines(Duration provision, Duration call, Duration health) {
  /** The original system's api-side deadlines: 4 minutes to provision, 30 seconds otherwise. */
  public static final Deadlines DEFAULT =
      new Deadlines(Duration.ofMinutes(4), Duration.ofSeconds(30), Duration.ofSeconds(5));

  public Deadlines {
    requireNonNull(provision, "provision is null");
    requireNonNull(call, "call is null");
    requireNonNull(health, "health is null");
    if (!provision.isPositive() || !call.isPositive() || !health.isPositive()) {
      throw new IllegalArgumentException("deadlines must be positive");
    }
  }

  /**
   * GetUsage and GetInventory walk every tenant of a backend (a whole keyspace for Redis): as long
   * as provision.
   */
  public Duration usage() {
    return provision;
  }
}
