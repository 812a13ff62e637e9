package dev.instanode.provisioner;

/**
 * @param writesChanged the resource's writes were stopped or given back by this call
 * @param connectionsClosed connections over the cap this call closed
 * @param bytesFreed what was shed of the resource's excess over its plan
 */
public record LimitsResult(boolean writesChanged, int connectionsClosed, long bytesFreed) {}
