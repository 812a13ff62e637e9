package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/**
 * The requests a webhook receiver has stored, {@code whk_<token>}: rows of the platform's {@code
 * webhook_requests} keyed by the receiver's token, dropped together.
 */
public record WebhookInbox(String value) implements InfraName {
  public static final String PREFIX = "whk_";

  public WebhookInbox {
    requireNonNull(value, "value is null");
  }

  public static WebhookInbox of(InfraKey key) {
    return new WebhookInbox(PREFIX + key.text());
  }

  @Override
  public String kind() {
    return "webhook_inbox";
  }

  @Override
  public String masked() {
    return MaskedNames.mask(value, PREFIX);
  }

  @Override
  public String toString() {
    return value;
  }
}
