package dev.instanode.server;

import static java.util.Objects.requireNonNull;

/** {@code host:port}, as PROVISIONER_ADDR is written. */
public record HostAndPort(String host, int port) {
  public HostAndPort {
    requireNonNull(host, "host is null");
    if (host.isBlank() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("must be host:port");
    }
  }

  public static HostAndPort parse(String raw) {
    int colon = raw.trim().lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("must be host:port");
    }
    try {
      return new HostAndPort(
          raw.trim().substring(0, colon), Integer.parseInt(raw.trim().substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be host:port");
    }
  }
}
