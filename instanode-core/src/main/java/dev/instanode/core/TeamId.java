package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

public record TeamId(UUID value) {
  public TeamId {
    requireNonNull(value, "value is null");
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
