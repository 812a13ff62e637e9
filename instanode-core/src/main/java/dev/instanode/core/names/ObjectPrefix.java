package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Masking;
import dev.instanode.core.ResourceToken;

/**
 * A storage tenant's part of the shared bucket: every key that starts with {@code <token>/}. The
 * slash is part of the name, so a token that shares its leading characters with another (or a
 * legacy eight-character prefix) never covers the other's objects.
 */
public record ObjectPrefix(String value) implements InfraName {
  /** What every key of a tenant starts with, before its token. */
  public static final String PREFIX = "";

  public ObjectPrefix {
    requireNonNull(value, "value is null");
  }

  public static ObjectPrefix of(ResourceToken token) {
    return new ObjectPrefix(token.text() + "/");
  }

  /** True when {@code key} is one of this tenant's objects. */
  public boolean covers(String key) {
    return key.startsWith(value) && key.length() > value.length();
  }

  @Override
  public String kind() {
    return "object_prefix";
  }

  @Override
  public String masked() {
    return value.endsWith("/") ? Masking.token(value.substring(0, value.length() - 1)) + "/" : "…";
  }

  @Override
  public String toString() {
    return value;
  }
}
