package dev.instanode.core;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for an email address a caller gives: trimmed, lower-cased, plausibly deliverable.
 */
public final class EmailAddresses {
  // No spaces and nothing invisible (\p{C}: control, format, private-use, unassigned).
  private static final Pattern EMAIL =
      Pattern.compile("^[^@\\s\\p{C}]{1,64}@[^@\\s\\p{C}]+\\.[^@\\s\\p{C}]{2,}$");
  private static final int MAX = 254;

  private EmailAddresses() {}

  /** The address as stored and compared, or empty when it is not one. */
  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String email = raw.trim().toLowerCase(Locale.ROOT);
    return email.length() <= MAX && EMAIL.matcher(email).matches()
        ? Optional.of(email)
        : Optional.empty();
  }

  /** {@link #normalize}, or a 400 {@code invalid_email}. */
  public static String require(String raw) {
    return normalize(raw)
        .orElseThrow(
            () -> new ApiException(ErrorCode.INVALID_EMAIL, "A valid \"email\" is required."));
  }
}
