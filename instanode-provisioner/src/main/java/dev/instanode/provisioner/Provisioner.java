package dev.instanode.provisioner;

/**
 * Creates, drops, regrades and measures customer infrastructure. The api and the worker never touch
 * a customer cluster except through this boundary; it runs in-process or behind gRPC.
 *
 * <p>Every method either does what it says or throws {@link ProvisionerException}; a failed {@link
 * #provision} leaves nothing behind.
 */
public interface Provisioner {
  ProvisionResult provision(ProvisionRequest request);

  /** Idempotent: dropping something already gone succeeds. */
  void deprovision(DeprovisionRequest request);

  RegradeResult regrade(RegradeRequest request);

  long storageBytes(StorageRequest request);
}
