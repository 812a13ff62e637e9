package dev.instanode.provisioner.engine;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.provisioner.ProvisionerException;

/** A provision that failed after choosing where to put the resource. */
public final class PartialProvisionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ProviderResourceId providerResourceId;
  private final ProvisionerException failure;

  public PartialProvisionException(
      ProviderResourceId providerResourceId, ProvisionerException failure) {
    super(failure.getMessage(), failure);
    this.providerResourceId = requireNonNull(providerResourceId, "providerResourceId is null");
    this.failure = failure;
  }

  public ProviderResourceId providerResourceId() {
    return providerResourceId;
  }

  public ProvisionerException failure() {
    return failure;
  }
}
