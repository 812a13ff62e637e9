package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.crypto.Sha256;
import java.util.regex.Pattern;

/**
 * Names one binding of a resource inside the resource's infrastructure: 16 hex characters, so a
 * binding's login ({@code bnd_<key>_<binding key>}) fits Postgres' 63-byte names whatever the
 * platform called the binding. Derived from the platform's binding id, so a retried bind or unbind
 * reaches the same login without any state.
 */
public record BindingKey(String value) {
  private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{16}");

  public BindingKey {
    requireNonNull(value, "value is null");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("a binding key is 16 lowercase hex characters");
    }
  }

  /** The key of a platform's binding id (any string): the first 64 bits of its SHA-256. */
  public static BindingKey ofBindingId(String bindingId) {
    requireNonNull(bindingId, "bindingId is null");
    return new BindingKey(Sha256.hex(bindingId).substring(0, 16));
  }

  @Override
  public String toString() {
    return value;
  }
}
