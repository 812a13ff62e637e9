package dev.instanode.worker.decision;

import dev.instanode.core.Masking;

/** Error text fit for a database column: URL credentials scrubbed, at most 1000 characters. */
public final class ErrorText {
  public static final int MAX_CHARS = 1000;
  private static final String ELLIPSIS = "...";

  private ErrorText() {}

  public static String forStorage(String raw) {
    String scrubbed = Masking.scrubUrls(raw == null ? "" : raw);
    if (scrubbed.length() <= MAX_CHARS) {
      return scrubbed;
    }
    int cut = MAX_CHARS - ELLIPSIS.length();
    // Never split a surrogate pair: half a character is not valid text.
    if (Character.isHighSurrogate(scrubbed.charAt(cut - 1))) {
      cut--;
    }
    return scrubbed.substring(0, cut) + ELLIPSIS;
  }
}
