package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

/** The resource's new credentials. {@code connectionUrl} is a secret: never log it. */
public record RotateResult(String connectionUrl) {
  public RotateResult {
    requireNonNull(connectionUrl, "connectionUrl is null");
  }

  @Override
  public String toString() {
    return "RotateResult[url=***]";
  }
}
