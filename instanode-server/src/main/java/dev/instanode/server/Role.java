package dev.instanode.server;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What one process does. {@code instanode dev} runs every role that exists in one JVM. */
public enum Role {
  API,
  PROVISIONER,
  WORKER;

  public static Set<Role> parse(String csv) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : csv.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      roles.add(
          Arrays.stream(values())
              .filter(r -> r.name().equals(name))
              .findFirst()
              .orElseThrow(() ->
                  new IllegalArgumentException(
                      "unknown role '"
                          + part.trim()
                          + "' (known: "
                          + Arrays.toString(values()).toLowerCase(Locale.ROOT)
                          + ")")));
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no role given");
    }
    return roles;
  }
}
