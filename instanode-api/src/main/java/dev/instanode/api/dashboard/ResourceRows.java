package dev.instanode.api.dashboard;

import dev.instanode.api.wire.LegacyResource;
import dev.instanode.api.wire.ResourceItem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** A resource as a row of the resources and claim pages: its expiry as time left, its size. */
final class ResourceRows {
  private final Clock clock;

  ResourceRows(Clock clock) {
    this.clock = clock;
  }

  Model.Row row(ResourceItem item) {
    return new Model.Row(
        item.token(),
        item.resourceType(),
        item.name(),
        item.env(),
        item.tier(),
        item.status(),
        item.expiresAt(),
        item.expiresAt().map(this::left).orElse("never"),
        bytes(item.storageBytes()));
  }

  Model.Row row(LegacyResource item) {
    return new Model.Row(
        item.token(),
        item.resourceType(),
        item.name(),
        "",
        item.tier(),
        item.status(),
        item.expiresAt(),
        item.expiresAt().map(this::left).orElse("never"),
        "");
  }

  private String left(Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    return h > 0 ? h + "h " + m + "m left" : m + "m " + d.toSecondsPart() + "s left";
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
  }
}
