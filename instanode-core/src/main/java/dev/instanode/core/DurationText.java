package dev.instanode.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: {@code 90s}, {@code 15m}, {@code 24h}, {@code 1h30m}. */
public final class DurationText {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private DurationText() {}

  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty (expected e.g. 90s, 15m, 24h)");
    }
    String s = text.trim();
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int consumed = 0;
    while (m.find()) {
      if (m.start() != consumed) {
        break;
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      consumed = m.end();
    }
    if (consumed != s.length() || consumed == 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (expected e.g. 90s, 15m, 24h)");
    }
    if (total.isZero()) {
      throw new IllegalArgumentException("must be greater than zero");
    }
    return total;
  }

  /** The shortest exact form: 24h, 90s, 1h30m. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0 || out.isEmpty()) {
      out.append(seconds).append('s');
    }
    return out.toString();
  }
}
