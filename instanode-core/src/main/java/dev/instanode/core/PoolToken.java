package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.UUID;
import java.util.regex.Pattern;

/** The token a pooled resource's infrastructure is named after: {@code pool-<uuid>}. */
public record PoolToken(String value) implements InfraKey {
  public static final String PREFIX = "pool-";
  // Names are built from it (usr_<token> is at most 63 bytes), so it never holds a quote or space.
  private static final Pattern SHAPE = Pattern.compile("pool-[A-Za-z0-9-]{1,54}");

  public PoolToken {
    requireNonNull(value, "value is null");
    if (!SHAPE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "a pool token is " + PREFIX + " and up to 54 of [A-Za-z0-9-]");
    }
  }

  public static PoolToken random() {
    return new PoolToken(PREFIX + UUID.randomUUID());
  }

  @Override
  public String text() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
