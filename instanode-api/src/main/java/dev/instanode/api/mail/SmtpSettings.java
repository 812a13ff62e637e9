package dev.instanode.api.mail;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where mail goes: {@code smtp://[user:password@]host[:port][?starttls=true]} (port 25 by default,
 * STARTTLS required when asked) or {@code smtps://...} (TLS from the first byte, port 465).
 */
public record SmtpSettings(
    String host,
    int port,
    boolean implicitTls,
    boolean startTls,
    Optional<String> user,
    Optional<String> password,
    String from) {

  /**
   * @throws IllegalArgumentException naming what is wrong, never echoing the password
   */
  public static SmtpSettings parse(String url, String from) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("SMTP_URL is not a URL like smtp://host:587");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("smtp") && !scheme.equals("smtps")) {
      throw new IllegalArgumentException("SMTP_URL must start smtp:// or smtps://");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("SMTP_URL needs a host");
    }
    boolean implicitTls = scheme.equals("smtps");
    int port = uri.getPort() > 0 ? uri.getPort() : implicitTls ? 465 : 25;
    boolean startTls = "starttls=true".equals(uri.getRawQuery());
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    // Percent-decoded as a URI decodes it: a '+' in a password stays a '+'.
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = Optional.of(parts[0]);
      password = Optional.of(parts.length > 1 ? parts[1] : "");
    }
    if (from == null || !from.contains("@")) {
      throw new IllegalArgumentException("MAIL_FROM must be an address, e.g. no-reply@example.com");
    }
    return new SmtpSettings(uri.getHost(), port, implicitTls, startTls, user, password, from);
  }

  @Override
  public String toString() {
    return "SmtpSettings[" + host + ":" + port + (user.isPresent() ? ", with login" : "") + "]";
  }
}
