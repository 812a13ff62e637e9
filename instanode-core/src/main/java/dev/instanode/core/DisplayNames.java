package dev.instanode.core;

import java.util.Optional;

/**
 * Free-text names people choose (API keys, teams): any script and emoji, but nothing invisible or
 * misleading. Control characters and NUL (which Postgres refuses in text), format characters other
 * than the emoji joiner (bidi overrides that make "yek-ipa" read as "api-key", zero-width joiners),
 * line separators, private-use and lone surrogate code points are refused. Leading and trailing
 * spaces are dropped.
 */
public final class DisplayNames {
  public static final int MAX_CODE_POINTS = 64;
  // Joins emoji sequences (a person and a laptop into one glyph); allowed although a format mark.
  private static final int ZERO_WIDTH_JOINER = 0x200D;

  private DisplayNames() {}

  /** Why {@code raw} cannot be a name, or empty when it can. */
  public static Optional<String> problem(String raw) {
    if (raw == null || raw.strip().isEmpty()) {
      return Optional.of("is empty");
    }
    String name = raw.strip();
    if (name.codePointCount(0, name.length()) > MAX_CODE_POINTS) {
      return Optional.of("is longer than " + MAX_CODE_POINTS + " characters");
    }
    return name.codePoints().filter(DisplayNames::refused).findFirst().stream()
        .mapToObj(cp ->
            "contains U+"
                + String.format(java.util.Locale.ROOT, "%04X", cp)
                + ", which names may not")
        .findFirst();
  }

  /** {@code raw} without its surrounding spaces; call after {@link #problem} found none. */
  public static String normalize(String raw) {
    return raw.strip();
  }

  private static boolean refused(int cp) {
    if (cp == ZERO_WIDTH_JOINER) {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.PRIVATE_USE,
          Character.SURROGATE,
          Character.UNASSIGNED ->
          true;
      default -> false;
    };
  }
}
