package dev.instanode.provisioner.redis;

import dev.instanode.core.Masking;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Classifies Redis failures so a caller can tell "retry later" from a bug: an unreachable, slow or
 * not-yet-ready Redis is {@code UNAVAILABLE}; any other error reply is {@code INTERNAL}.
 */
final class RedisFailures {
  /**
   * Error replies that mean "not now" rather than "wrong": loading the dataset, a busy script, a
   * replica that is read-only during a failover.
   */
  private static final List<String> TRANSIENT_REPLIES =
      List.of("LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY");

  /** Lettuce's messages when the connection is down and commands are rejected, not queued. */
  private static final List<String> DISCONNECTED =
      List.of("currently not connected", "connection closed", "connection reset");

  private RedisFailures() {}

  /** A classified failure whose message names {@code what} failed and never a credential. */
  static ProvisionerException classify(String what, RuntimeException e) {
    if (e instanceof ProvisionerException already) {
      return already;
    }
    if (e instanceof RedisCommandExecutionException reply) {
      String text = firstLine(reply.getMessage());
      Kind kind = isTransient(text) ? Kind.UNAVAILABLE : Kind.INTERNAL;
      return new ProvisionerException(kind, what + " failed: " + Masking.scrubUrls(text), e);
    }
    // Any other Lettuce failure means the command got no reply: the transport, not the request.
    if (isUnavailable(e) || e instanceof RedisException) {
      return new ProvisionerException(Kind.UNAVAILABLE, what + " failed: redis unreachable", e);
    }
    return new ProvisionerException(Kind.INTERNAL, what + " failed", e);
  }

  private static boolean isTransient(String reply) {
    String upper = reply.toUpperCase(Locale.ROOT);
    return TRANSIENT_REPLIES.stream().anyMatch(code -> upper.startsWith(code + " "));
  }

  private static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisConnectionException
          || t instanceof RedisCommandTimeoutException
          || t instanceof RedisCommandInterruptedException
          || t instanceof IOException) {
        return true;
      }
      if (t instanceof RedisException && t.getMessage() != null) {
        String message = t.getMessage().toLowerCase(Locale.ROOT);
        if (DISCONNECTED.stream().anyMatch(message::contains)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
