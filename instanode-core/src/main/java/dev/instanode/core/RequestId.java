package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Correlates one caller request across the api, the provisioner and the logs. */
public record RequestId(String value) {
  public RequestId {
    requireNonNull(value, "value is null");
  }

  public static RequestId random() {
    return new RequestId(UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return value;
  }
}
