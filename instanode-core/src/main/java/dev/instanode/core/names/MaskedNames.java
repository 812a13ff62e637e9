package dev.instanode.core.names;

import dev.instanode.core.Masking;

/** A name with its token part masked like any token, its prefix kept: {@code db_7f0c2a6e…}. */
final class MaskedNames {
  private MaskedNames() {}

  static String mask(String value, String prefix) {
    return value.startsWith(prefix) && value.length() > prefix.length()
        ? prefix + Masking.token(value.substring(prefix.length()))
        : value;
  }
}
