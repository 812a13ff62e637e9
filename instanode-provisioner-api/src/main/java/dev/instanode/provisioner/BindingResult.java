package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

/**
 * A binding's own credentials: the resource's host, port and database (or key prefix) with the
 * binding's login. {@code connectionUrl} is a secret: never log it.
 */
public record BindingResult(String connectionUrl) {
  public BindingResult {
    requireNonNull(connectionUrl, "connectionUrl is null");
  }

  @Override
  public String toString() {
    return "BindingResult[url=***]";
  }
}
