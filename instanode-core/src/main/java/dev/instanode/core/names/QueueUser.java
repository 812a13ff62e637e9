package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/**
 * A queue tenant's NATS user, {@code usr_<token as 32 hex>}: allowed to publish and subscribe only
 * under its own subject prefix. Dropping it removes the user from the server's authorization, which
 * ends its connections.
 */
public record QueueUser(String value) implements InfraName {
  public static final String PREFIX = "usr_";

  public QueueUser {
    requireNonNull(value, "value is null");
  }

  public static QueueUser of(InfraKey key) {
    return new QueueUser(PREFIX + key.text().replace("-", ""));
  }

  @Override
  public String kind() {
    return "queue_user";
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
