package dev.instanode.core;

import java.util.regex.Pattern;

/** Turns secrets into something safe to log. */
public final class Masking {
  private static final Pattern URL_USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

  private Masking() {}

  /** {@code abcd1234…}: enough to correlate, never enough to use. */
  public static String token(String token) {
    if (token == null || token.isEmpty()) {
      return "";
    }
    return token.length() <= 8 ? "…" : token.substring(0, 8) + "…";
  }

  /** Replaces the user:password part of every URL in {@code text}. */
  public static String scrubUrls(String text) {
    if (text == null) {
      return null;
    }
    return URL_USERINFO.matcher(text).replaceAll("***@");
  }
}
