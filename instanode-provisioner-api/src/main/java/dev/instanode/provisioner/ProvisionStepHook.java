package dev.instanode.provisioner;

import dev.instanode.core.InfraKey;

/**
 * Called after each named step of a provision or teardown. Production uses {@link #NONE}; fault
 * tests use it to fail at an exact point and prove the rollback, crash tests to stop there.
 */
@FunctionalInterface
public interface ProvisionStepHook {
  ProvisionStepHook NONE = (step, key) -> {};

  /** Steps of a teardown start with this; a hook that breaks provisioning can spare them. */
  String TEARDOWN_PREFIX = "drop.";

  void afterStep(String step, InfraKey key);
}
