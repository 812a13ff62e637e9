package dev.instanode.provisioner.engine;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a tenant's object was made, written on it (or beside it) as it is made, so a sweep can tell
 * a leaked object from one being made right now without trusting any row. Text like {@code
 * instanode created 2026-12-01T23:40:00Z}.
 */
public final class CreationStamp {
  static final String PREFIX = "instanode created ";

  private CreationStamp() {}

  public static String of(Instant at) {
    return PREFIX + at;
  }

  /** {@link #of} as a SQL string literal; its text is letters, digits, spaces and {@code :.-}. */
  public static String sqlLiteral(Instant at) {
    String text = of(at);
    if (!text.matches("[A-Za-z0-9 :.-]+")) {
      throw new IllegalStateException("a creation stamp is plain text: " + text);
    }
    return "'" + text + "'";
  }

  /** Empty for anything not written by {@link #of}: an unknown age, never an old one. */
  public static Optional<Instant> parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text.substring(PREFIX.length())));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
