package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The login of one binding of a resource: {@code bnd_<key>_<binding key>}, a Postgres role or a
 * Redis ACL user beside the resource's own {@code usr_<key>}. Its own prefix keeps it out of every
 * {@code usr_} pattern (inventory, usage, the runaway watch's tenant parsing), and the key it
 * carries ties it to exactly one resource, so the resource's drop can find all of its bindings.
 */
public record BindingLogin(String value) implements InfraName {
  public static final String PREFIX = "bnd_";

  /** Postgres' limit on a name; Redis has none, but one rule for both keeps them alike. */
  public static final int MAX_BYTES = 63;

  private static final Pattern SHAPE = Pattern.compile("bnd_(.+)_([0-9a-f]{16})");

  public BindingLogin {
    requireNonNull(value, "value is null");
  }

  /**
   * @throws IllegalArgumentException when the key is too long for the name to fit 63 bytes (a pool
   *     token longer than 42 characters; those made by the pool are 41)
   */
  public static BindingLogin of(InfraKey key, BindingKey binding) {
    String value = namePrefix(key) + binding.value();
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("the key is too long for a binding login name");
    }
    return new BindingLogin(value);
  }

  /** What every binding login of {@code key} starts with: {@code bnd_<key>_}. */
  public static String namePrefix(InfraKey key) {
    return PREFIX + key.text() + "_";
  }

  /**
   * The resource key a binding login's name carries; empty for any other name, so a stranger's
   * login is never taken for one of a resource's bindings.
   */
  public static Optional<InfraKey> keyOf(String name) {
    if (name == null) {
      return Optional.empty();
    }
    var m = SHAPE.matcher(name);
    return m.matches() ? InfraKey.parse(m.group(1)) : Optional.empty();
  }

  /**
   * The key text of the tenant a login acts for: its own login ({@code ownPrefix} + key) or one of
   * its bindings' ({@code bnd_<key>_<hex>}), so sessions of either count against one resource's
   * connection cap. Empty for any other login.
   */
  public static Optional<String> tenantOf(String login, String ownPrefix) {
    if (login == null) {
      return Optional.empty();
    }
    if (login.startsWith(ownPrefix)) {
      return Optional.of(login.substring(ownPrefix.length()));
    }
    return keyOf(login).map(InfraKey::text);
  }

  /** Whether the login is the tenant's own ({@code own}) or one of its bindings'. */
  public static boolean actsFor(String login, InfraKey key, String own) {
    return own.equals(login) || keyOf(login).filter(key::equals).isPresent();
  }

  /**
   * The binding key this login's name ends with.
   *
   * @throws IllegalArgumentException when the name is not a binding login's
   */
  public BindingKey bindingKey() {
    var m = SHAPE.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a binding login name");
    }
    return new BindingKey(m.group(2));
  }

  @Override
  public String kind() {
    return "binding_login";
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
