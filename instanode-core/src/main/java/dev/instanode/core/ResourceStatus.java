package dev.instanode.core;

import java.util.Arrays;
import java.util.Locale;

/** Lifecycle of a resource row. The platform schema's CHECK constraint lists the same values. */
public enum ResourceStatus {
  PENDING,
  ACTIVE,
  PAUSED,
  SUSPENDED,
  /**
   * Its owner asked for it to be deleted and its infrastructure is being dropped. Recorded before
   * the drop, so a crash mid-delete leaves a row the reconciler finishes; never usable again.
   */
  DELETING,
  FAILED,
  EXPIRED,
  DELETED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Terminal rows own no infrastructure any more. */
  public boolean isTerminal() {
    return this == FAILED || this == EXPIRED || this == DELETED;
  }

  public static ResourceStatus fromWire(String raw) {
    return Arrays.stream(values())
        .filter(s -> s.wireName().equals(raw))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown resource status: " + raw));
  }
}
