package dev.instanode.provisioner.engine;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses to drop anything that is not a customer object. The last line of defence against a bug
 * (or an operator typo) that would aim a DROP at {@code postgres} or the platform database.
 */
public final class DropGuard {
  private static final Pattern CHARSET = Pattern.compile("[A-Za-z0-9._-]+");
  private static final int MAX_BYTES = 63;
  private static final List<String> CUSTOMER_PREFIXES = List.of("db_", "usr_");
  private static final Set<String> ALWAYS_DENIED =
      Set.of(
          "postgres",
          "template0",
          "template1",
          "admin",
          "default",
          "root",
          "instanode",
          "instanode_admin",
          "replication",
          "local",
          "config");

  private final Set<String> denied;

  /**
   * @param protectedNames platform database names and admin users of this deployment
   */
  public DropGuard(Set<String> protectedNames) {
    Set<String> all = new HashSet<>(ALWAYS_DENIED);
    protectedNames.forEach(n -> all.add(n.toLowerCase(Locale.ROOT)));
    this.denied = Set.copyOf(all);
  }

  /** Empty when {@code name} may be dropped, else the reason it may not. */
  public Optional<String> refusal(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("empty name");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return Optional.of("name longer than 63 bytes");
    }
    if (!CHARSET.matcher(name).matches()) {
      return Optional.of("name has characters outside [A-Za-z0-9._-]");
    }
    if (denied.contains(name.toLowerCase(Locale.ROOT))) {
      return Optional.of("name is on the denylist");
    }
    if (CUSTOMER_PREFIXES.stream().noneMatch(name::startsWith)) {
      return Optional.of("name lacks a customer prefix (db_, usr_)");
    }
    return Optional.empty();
  }
}
