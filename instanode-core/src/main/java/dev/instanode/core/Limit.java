package dev.instanode.core;

/** A numeric plan limit where {@code -1} means unlimited, as in plans.yaml. */
public final class Limit {
  public static final long UNLIMITED = -1;

  private Limit() {}

  public static boolean isUnlimited(long value) {
    return value == UNLIMITED;
  }

  static void requireValid(String name, long value) {
    if (value < UNLIMITED) {
      throw new IllegalArgumentException(name + " must be -1 (unlimited) or >= 0, got " + value);
    }
  }
}
