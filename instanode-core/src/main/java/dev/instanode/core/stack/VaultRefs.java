package dev.instanode.core.stack;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vault://KEY} in a stack's env: the value of {@code KEY} in the team's vault, in the
 * stack's own env, read when the stack is applied. A vault key is an env var name.
 */
public final class VaultRefs {
  public static final String SCHEME = "vault://";
  private static final Pattern KEY = Pattern.compile("^[A-Z_][A-Z0-9_]{0,127}$");
  private static final Pattern REF = Pattern.compile("^vault://([A-Z_][A-Z0-9_]{0,127})$");

  private VaultRefs() {}

  public static boolean isKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  /** Whether {@code value} asks for the vault at all (well-formed or not). */
  public static boolean isRef(String value) {
    return value != null && value.startsWith(SCHEME);
  }

  /** The key a well-formed reference names. */
  public static Optional<String> key(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = REF.matcher(value);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Every key the values of these envs refer to, sorted. */
  public static Set<String> referenced(Collection<Map<String, String>> envs) {
    Set<String> keys = new TreeSet<>();
    for (Map<String, String> env : envs) {
      for (String value : env.values()) {
        if (isRef(value)) {
          keys.add(key(value).orElse(value));
        }
      }
    }
    return keys;
  }

  /**
   * The env with each reference replaced by its value.
   *
   * @throws IllegalArgumentException naming the first reference {@code values} lacks
   */
  public static Map<String, String> resolve(Map<String, String> env, Map<String, String> values) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((name, value) -> {
      if (!isRef(value)) {
        out.put(name, value);
        return;
      }
      String key = key(value).orElse(value);
      String resolved = values.get(key);
      if (resolved == null) {
        throw new IllegalArgumentException(
            name + " refers to " + value + ", which the vault does not hold");
      }
      out.put(name, resolved);
    });
    return out;
  }
}
