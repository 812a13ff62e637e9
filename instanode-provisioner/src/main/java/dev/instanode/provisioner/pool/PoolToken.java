package dev.instanode.provisioner.pool;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** The token a pooled resource's infrastructure is named after: {@code pool-<uuid>}. */
public record PoolToken(String value) {
  public static final String PREFIX = "pool-";

  public PoolToken {
    requireNonNull(value, "value is null");
    if (!value.startsWith(PREFIX)) {
      throw new IllegalArgumentException("pool tokens start with " + PREFIX);
    }
  }

  public static PoolToken random() {
    return new PoolToken(PREFIX + UUID.randomUUID());
  }

  @Override
  public String toString() {
    return value;
  }
}
