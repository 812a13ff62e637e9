package dev.instanode.core.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Tokens sent once to an address and kept only as their SHA-256 ({@link ApiKeys#hash}): an
 * invitation is 64 hex characters, a sign-in link {@code mlnk_} + base64url(32 bytes).
 */
public final class OneTimeTokens {
  public static final String MAGIC_LINK_PREFIX = "mlnk_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private OneTimeTokens() {}

  public static String invitation() {
    return HexFormat.of().formatHex(random());
  }

  public static String magicLink() {
    return MAGIC_LINK_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random());
  }

  /** Whether it could be an invitation token at all, before the database is asked. */
  public static boolean looksLikeInvitation(String candidate) {
    return candidate != null && candidate.matches("[0-9a-f]{64}");
  }

  /** Whether it could be a sign-in link token at all, before the database is asked. */
  public static boolean looksLikeMagicLink(String candidate) {
    return candidate != null
        && candidate.length() == MAGIC_LINK_PREFIX.length() + 43
        && candidate.startsWith(MAGIC_LINK_PREFIX);
  }

  private static byte[] random() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return raw;
  }
}
