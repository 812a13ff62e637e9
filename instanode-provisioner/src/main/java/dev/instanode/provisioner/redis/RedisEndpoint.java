package dev.instanode.provisioner.redis;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;

/**
 * How to reach the shared customer Redis: the admin URL the provisioner uses, and the host that
 * customer URLs name (which may differ, e.g. a public DNS name in front of a private address).
 *
 * <p>The admin URL holds the admin password: {@link #toString()} masks it.
 *
 * @param adminUri {@code redis://default:<password>@host:port/0}
 * @param publicHost the host put in customer URLs
 * @param connectTimeout how long a connection attempt may take before the backend reports the Redis
 *     unavailable
 * @param commandTimeout how long one admin command may take
 */
public record RedisEndpoint(
    URI adminUri, String publicHost, Duration connectTimeout, Duration commandTimeout) {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> SCHEMES = Set.of("redis", "rediss");
  private static final int DEFAULT_PORT = 6379;

  public RedisEndpoint {
    requireNonNull(adminUri, "adminUri is null");
    requireNonNull(publicHost, "publicHost is null");
    requireNonNull(connectTimeout, "connectTimeout is null");
    requireNonNull(commandTimeout, "commandTimeout is null");
    if (adminUri.getScheme() == null || !SCHEMES.contains(adminUri.getScheme())) {
      throw new IllegalArgumentException("admin Redis URL must use redis:// or rediss://");
    }
    if (adminUri.getHost() == null || publicHost.isBlank()) {
      throw new IllegalArgumentException("admin Redis URL and public host need a host");
    }
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || commandTimeout.isNegative()
        || commandTimeout.isZero()) {
      throw new IllegalArgumentException("Redis timeouts must be positive");
    }
  }

  /** Customer URLs name the admin URL's host; default timeouts. */
  public static RedisEndpoint of(URI adminUri) {
    requireNonNull(adminUri, "adminUri is null");
    String host = adminUri.getHost() == null ? "" : adminUri.getHost();
    return new RedisEndpoint(adminUri, host, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
  }

  public static RedisEndpoint of(String adminUri) {
    requireNonNull(adminUri, "adminUri is null");
    try {
      return of(new URI(adminUri));
    } catch (URISyntaxException e) {
      // The exception's message quotes the input, password included.
      throw new IllegalArgumentException("admin Redis URL is not a valid URI");
    }
  }

  public RedisEndpoint withPublicHost(String host) {
    return new RedisEndpoint(adminUri, host, connectTimeout, commandTimeout);
  }

  public RedisEndpoint withConnectTimeout(Duration timeout) {
    return new RedisEndpoint(adminUri, publicHost, timeout, commandTimeout);
  }

  public int port() {
    return adminUri.getPort() > 0 ? adminUri.getPort() : DEFAULT_PORT;
  }

  /** {@code redis://<user>:<password>@<publicHost>:<port>/0}; a secret, never log it. */
  String customerUrl(String user, String password) {
    try {
      // The multi-argument constructor brackets an IPv6 host; user and password are URL-safe.
      return new URI(
              adminUri.getScheme(), user + ":" + password, publicHost, port(), "/0", null, null)
          .toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot build a customer Redis URL for the public host");
    }
  }

  @Override
  public String toString() {
    return "RedisEndpoint[admin="
        + adminUri.getScheme()
        + "://***@"
        + adminUri.getHost()
        + ":"
        + port()
        + ", publicHost="
        + publicHost
        + ", connectTimeout="
        + connectTimeout
        + ", commandTimeout="
        + commandTimeout
        + "]";
  }
}
