package dev.instanode.provisioner;

/**
 * Called after each named provisioning step. Production uses {@link #NONE}; fault tests use it to
 * fail a provision at an exact point and prove the rollback.
 */
@FunctionalInterface
public interface ProvisionStepHook {
  ProvisionStepHook NONE = (step, namingToken) -> {};

  void afterStep(String step, String namingToken);
}
