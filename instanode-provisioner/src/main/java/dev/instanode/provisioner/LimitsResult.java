package dev.instanode.provisioner;

/**
 * @param writesChanged the resource's writes were stopped or given back by this call
 * @param connectionsClosed connections over the cap this call closed
 */
public record LimitsResult(boolean writesChanged, int connectionsClosed) {}
