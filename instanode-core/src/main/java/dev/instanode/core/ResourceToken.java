package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.UUID;

/** The public credential of a resource; distinct from its internal {@link ResourceId}. */
public record ResourceToken(UUID value) implements InfraKey {
  public ResourceToken {
    requireNonNull(value, "value is null");
  }

  public static ResourceToken random() {
    return new ResourceToken(UUID.randomUUID());
  }

  public static Optional<ResourceToken> parse(String raw) {
    try {
      return Optional.of(new ResourceToken(UUID.fromString(raw)));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
  }

  @Override
  public String text() {
    return value.toString();
  }

  /** Safe for logs: the first 8 characters only. */
  @Override
  public String masked() {
    return Masking.token(value.toString());
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
