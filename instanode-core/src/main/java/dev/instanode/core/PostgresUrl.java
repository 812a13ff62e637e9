package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A {@code postgres://user:password@host:port/database} URL, as operators write them. */
public record PostgresUrl(String host, int port, String database, String user, String password) {
  public PostgresUrl {
    requireNonNull(host, "host is null");
    requireNonNull(database, "database is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * @throws IllegalArgumentException with a message that never echoes the password
   */
  public static PostgresUrl parse(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException("is empty");
    }
    URI uri;
    try {
      uri = new URI(raw.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "is not a URL (expected postgres://user:pass@host:port/db)");
    }
    if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must start with postgres:// or postgresql://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host");
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("has no database name");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || userInfo.isEmpty()) {
      throw new IllegalArgumentException("has no user");
    }
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    return new PostgresUrl(uri.getHost(), port, path, user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PostgresUrl withDatabase(String otherDatabase) {
    return new PostgresUrl(host, port, otherDatabase, user, password);
  }

  /** The form handed to customers: works with psql and every libpq-style driver. */
  public String toUri() {
    return "postgres://"
        + encode(user)
        + (password.isEmpty() ? "" : ":" + encode(password))
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database
        + "?sslmode=disable";
  }

  @Override
  public String toString() {
    return "postgres://" + user + ":***@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
