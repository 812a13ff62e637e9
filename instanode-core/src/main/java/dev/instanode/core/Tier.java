package dev.instanode.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A plan tier. The wire name is the lower-case enum name; limits live in {@link Plans}. */
public enum Tier {
  ANONYMOUS,
  FREE,
  HOBBY,
  HOBBY_PLUS,
  PRO,
  GROWTH,
  TEAM;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Accepts the canonical name and the billing "_yearly" variants, which share limits. */
  public static Optional<Tier> parse(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String canonical = raw.trim().toLowerCase(Locale.ROOT).replaceFirst("_yearly$", "");
    return Arrays.stream(values()).filter(t -> t.wireName().equals(canonical)).findFirst();
  }

  public static Tier fromWire(String raw) {
    return parse(raw).orElseThrow(() -> new IllegalArgumentException("unknown tier: " + raw));
  }
}
