package dev.instanode.bench;

/** One way of provisioning that a scenario measures: one call makes one resource. */
interface Target {
  String name();

  /** Makes one resource; returns {client ms, server ms} (server NaN where there is no server). */
  double[] provisionOnce() throws Exception;

  /** Drops what it made that the run's cleanup does not already drop. */
  default void cleanUp() throws Exception {}
}
