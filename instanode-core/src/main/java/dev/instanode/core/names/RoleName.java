package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/** A Postgres role; a customer's is {@code usr_<key>}, and its write keeper adds a suffix. */
public record RoleName(String value) implements InfraName {
  public static final String PREFIX = "usr_";

  public RoleName {
    requireNonNull(value, "value is null");
  }

  public static RoleName of(InfraKey key) {
    return new RoleName(PREFIX + key.text());
  }

  @Override
  public String kind() {
    return "role";
  }

  @Override
  public String masked() {
    return MaskedNames.mask(value, PREFIX);
  }

  @Override
  public String toString() {
    return value;
  }
}
