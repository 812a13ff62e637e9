package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** A stack's internal id (the primary key). Public surfaces use its {@link StackSlug}. */
public record StackId(UUID value) {
  public StackId {
    requireNonNull(value, "value is null");
  }

  public static StackId random() {
    return new StackId(UUID.randomUUID());
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
