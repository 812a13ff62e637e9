package dev.instanode.core;

import java.util.Locale;
import java.util.Optional;

/**
 * What a member of a team may do, from most to least: an owner does everything; an admin all but
 * transfer or delete the team; a developer manages resources and stacks but not members, other
 * people's keys, the plan or deletion; a viewer never changes anything.
 */
public enum TeamRole {
  OWNER,
  ADMIN,
  DEVELOPER,
  VIEWER;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this role may do what {@code needed} may. */
  public boolean atLeast(TeamRole needed) {
    return ordinal() <= needed.ordinal();
  }

  /** A role a caller may ask for; the stored {@code member} of older rows is not one. */
  public static Optional<TeamRole> parse(String raw) {
    for (TeamRole role : values()) {
      if (role.wireName().equals(raw)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  /** A stored role; {@code member}, written by older versions, reads as a developer. */
  public static TeamRole fromStored(String stored) {
    return "member".equals(stored)
        ? DEVELOPER
        : parse(stored).orElseThrow(() -> new IllegalArgumentException("unknown role " + stored));
  }
}
