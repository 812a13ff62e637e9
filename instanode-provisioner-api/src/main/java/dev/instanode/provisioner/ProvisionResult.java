package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import java.util.Optional;

/**
 * What a provision made. {@code connectionUrl} is a secret: never log it.
 *
 * @param providerResourceId where the resource lives (cluster, pool token); every later call on the
 *     resource passes it back
 * @param appliedConnLimit the connection cap in force, or -1 for none
 */
public record ProvisionResult(
    String connectionUrl,
    ProviderResourceId providerResourceId,
    Optional<String> keyPrefix,
    long appliedConnLimit) {
  public ProvisionResult {
    requireNonNull(connectionUrl, "connectionUrl is null");
    requireNonNull(providerResourceId, "providerResourceId is null");
    requireNonNull(keyPrefix, "keyPrefix is null");
  }

  @Override
  public String toString() {
    return "ProvisionResult[providerResourceId=" + providerResourceId + ", url=***]";
  }
}
