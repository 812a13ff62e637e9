package dev.instanode.chokepoint;

import dev.instanode.core.names.InfraName;

/** The {@link DropGuard} refused a name: nothing was destroyed. */
public final class DestructionRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DestructionRefusedException(InfraName name, String why) {
    super("drop refused for " + name.masked() + ": " + why);
  }
}
