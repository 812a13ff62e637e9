package dev.instanode.core.auth;

import dev.instanode.core.crypto.Sha256;
import java.security.SecureRandom;
import java.util.Base64;

/** {@code ink_} + base64url(32 random bytes). Only the SHA-256 is ever stored. */
public final class ApiKeys {
  public static final String PREFIX = "ink_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  public static String generate() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** What a list shows of a key: its first 12 characters ({@code ink_} and 8 more). */
  public static String displayPrefix(String key) {
    return key.substring(0, Math.min(12, key.length()));
  }

  public static boolean looksLikeKey(String candidate) {
    return candidate != null && candidate.startsWith(PREFIX) && candidate.length() == 47;
  }

  public static String hash(String key) {
    return Sha256.hex(key);
  }
}
