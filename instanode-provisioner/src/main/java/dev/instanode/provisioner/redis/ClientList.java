package dev.instanode.provisioner.redis;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Redis' clients as {@code CLIENT LIST} shows them, for the shared backend and the dedicated one:
 * reading its lines, and ending one user's clients.
 */
public final class ClientList {
  private ClientList() {}

  /** Ends every client of {@code user}; a user that no longer exists has none. */
  public static void killAllOf(RedisCommands<String, String> redis, String user) {
    try {
      redis.clientKill(KillArgs.Builder.user(user));
    } catch (RedisCommandExecutionException e) {
      // "No such user": deleted already, so it has no clients either.
      if (e.getMessage() == null || !e.getMessage().contains("No such user")) {
        throw e;
      }
    }
  }

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
