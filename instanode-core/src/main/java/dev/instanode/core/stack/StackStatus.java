package dev.instanode.core.stack;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A stack's status as the platform records it; {@code lost} means its namespace vanished. */
public enum StackStatus {
  DEPLOYING,
  HEALTHY,
  FAILED,
  LOST,
  DELETING;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<StackStatus> parse(String raw) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(raw)).findFirst();
  }
}
