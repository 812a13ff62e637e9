package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

/** Where a client connects to a dedicated server. */
public record ServiceAddress(String host, int port) {
  public ServiceAddress {
    requireNonNull(host, "host is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
  }
}
