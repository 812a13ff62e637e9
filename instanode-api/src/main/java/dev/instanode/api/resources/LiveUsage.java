package dev.instanode.api.resources;

import dev.instanode.store.ResourceRecord;
import java.util.Optional;

/**
 * A reading taken when a resource is read, for kinds whose usage is not kept by a measuring job
 * (object storage is measured by listing its prefix).
 */
@FunctionalInterface
public interface LiveUsage {
  LiveUsage NONE = r -> Optional.empty();

  /** Empty when this kind is not read live, or the reading failed (the stored figure stands). */
  Optional<Reading> read(ResourceRecord resource);

  record Reading(long bytes, boolean exceeded) {}
}
