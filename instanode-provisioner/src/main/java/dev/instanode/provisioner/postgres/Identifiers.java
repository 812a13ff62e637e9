package dev.instanode.provisioner.postgres;

import java.util.regex.Pattern;

/** Quoting for the identifiers and literals we splice into DDL (DDL takes no bind parameters). */
final class Identifiers {
  private static final Pattern SAFE_IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,63}");
  private static final Pattern SAFE_PASSWORD = Pattern.compile("[A-Za-z0-9]{16,128}");

  private Identifiers() {}

  static String quote(String identifier) {
    if (!SAFE_IDENTIFIER.matcher(identifier).matches()) {
      throw new IllegalArgumentException("unsafe identifier: " + identifier);
    }
    return '"' + identifier + '"';
  }

  /** A validated identifier as a string literal, for DDL built inside PL/pgSQL. */
  static String literal(String identifier) {
    if (!SAFE_IDENTIFIER.matcher(identifier).matches()) {
      throw new IllegalArgumentException("unsafe identifier: " + identifier);
    }
    return "'" + identifier + "'";
  }

  static String passwordLiteral(String password) {
    if (!SAFE_PASSWORD.matcher(password).matches()) {
      throw new IllegalArgumentException("generated password has unexpected characters");
    }
    return "'" + password + "'";
  }
}
