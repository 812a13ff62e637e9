package dev.instanode.provisioner.redis;

/** Reading Redis' {@code CLIENT LIST} output, for the shared backend and the dedicated one. */
public final class ClientList {
  private ClientList() {}

  /** A {@code name=value} field of one CLIENT LIST line, or null. */
  public static String field(String clientListLine, String name) {
    for (String part : clientListLine.trim().split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }
}
