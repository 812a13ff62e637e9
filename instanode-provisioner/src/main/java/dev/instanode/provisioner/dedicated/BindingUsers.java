package dev.instanode.provisioner.dedicated;

import dev.instanode.core.crypto.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binding users of a dedicated Redis as its server reads them at every start: a config file of
 * one line per binding, {@code user bnd_<key>_<binding key> on #<SHA-256 of its password> <the
 * tenant's rules>}. Only the hash is written, so the Secret that holds the file never holds a
 * binding's password. Pure text in, text out.
 */
final class BindingUsers {
  private static final String USER = "user ";

  private BindingUsers() {}

  /**
   * A binding user's rules with {@code password}, as the config file and {@code ACL SETUSER} both
   * take them: on, the password's hash, and {@code tenantRules}.
   */
  static List<String> rules(String password, List<String> tenantRules) {
    List<String> rules = new ArrayList<>();
    rules.add("on");
    rules.add("#" + Sha256.hex(password));
    rules.addAll(tenantRules);
    return List.copyOf(rules);
  }

  /**
   * {@code file} with {@code user}'s line made {@code rules}: replaced where it was, else added.
   */
  static String with(String file, String user, List<String> rules) {
    String line = USER + user + " " + String.join(" ", rules);
    List<String> lines = new ArrayList<>();
    boolean replaced = false;
    for (String l : lines(file)) {
      if (user.equals(userOf(l))) {
        if (!replaced) {
          lines.add(line);
          replaced = true;
        }
      } else {
        lines.add(l);
      }
    }
    if (!replaced) {
      lines.add(line);
    }
    return text(lines);
  }

  /** {@code file} without {@code user}'s line; the same file when it has none. */
  static String without(String file, String user) {
    List<String> kept = lines(file).stream().filter(l -> !user.equals(userOf(l))).toList();
    return kept.size() == lines(file).size() ? file : text(kept);
  }

  /** The users {@code file} names, in its order. */
  static List<String> users(String file) {
    return lines(file).stream().map(BindingUsers::userOf).filter(u -> u != null).toList();
  }

  /** The rules {@code file} gives {@code user} (what follows its name), when it names it. */
  static Optional<List<String>> rulesOf(String file, String user) {
    return lines(file).stream()
        .filter(l -> user.equals(userOf(l)))
        .findFirst()
        .map(l ->
            List.of(
                l.substring(USER.length()).strip().substring(user.length()).strip().split("\\s+")));
  }

  private static List<String> lines(String file) {
    return file.lines().filter(l -> !l.isBlank()).toList();
  }

  private static String userOf(String line) {
    if (!line.startsWith(USER)) {
      return null;
    }
    String rest = line.substring(USER.length()).strip();
    int space = rest.indexOf(' ');
    return space < 0 ? rest : rest.substring(0, space);
  }

  private static String text(List<String> lines) {
    return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
  }
}
