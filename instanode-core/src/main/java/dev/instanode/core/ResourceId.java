package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Internal primary key of a resource row; never a credential. */
public record ResourceId(UUID value) {
  public ResourceId {
    requireNonNull(value, "value is null");
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
