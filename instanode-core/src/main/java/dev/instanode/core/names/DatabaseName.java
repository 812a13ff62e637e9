package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/** A Postgres database; a customer's is {@code db_<key>}. */
public record DatabaseName(String value) implements InfraName {
  public static final String PREFIX = "db_";

  public DatabaseName {
    requireNonNull(value, "value is null");
  }

  public static DatabaseName of(InfraKey key) {
    return new DatabaseName(PREFIX + key.text());
  }

  @Override
  public String kind() {
    return "database";
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
