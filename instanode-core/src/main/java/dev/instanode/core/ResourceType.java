package dev.instanode.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of infrastructure a caller can ask for. */
public enum ResourceType {
  POSTGRES,
  REDIS,
  WEBHOOK,
  STORAGE,
  QUEUE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ResourceType> parse(String raw) {
    return Arrays.stream(values()).filter(t -> t.wireName().equals(raw)).findFirst();
  }

  public static ResourceType fromWire(String raw) {
    return parse(raw)
        .orElseThrow(() -> new IllegalArgumentException("unknown resource type: " + raw));
  }
}
