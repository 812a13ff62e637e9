package dev.instanode.provisioner.queue;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes nats-server's {@code authorization} block from the queue users and makes the running
 * server reload it (per-user permissions are reloadable; a restart is never needed). Each user may
 * publish and subscribe only under {@code <subject prefix>.>}: no wildcard above it, no {@code
 * _INBOX.>} and no responses to other subjects, so one tenant can neither see nor reach another's
 * messages.
 */
final class NatsAuthorization {
  /** One user as the file names it. */
  record User(String username, String passwordHash, String subjectPrefix) {}

  static final String LOCKED_USER = "instanode_locked";

  private final NatsSettings settings;
  private final String lockedUserHash;

  NatsAuthorization(NatsSettings settings, String lockedUserHash) {
    this.settings = settings;
    this.lockedUserHash = lockedUserHash;
  }

  /**
   * The whole block for these users. It always holds one more: a user nobody knows the password of,
   * allowed nothing, because nats-server reads an empty users list as "no authorization" and would
   * let anyone in once the last queue is gone.
   */
  static String render(List<User> users, String lockedUserHash) {
    StringBuilder out =
        new StringBuilder(
            "# Written by the instanode provisioner; every change is lost on its next write.\n"
                + "authorization {\n  users = [\n");
    out.append("    {user: \"")
        .append(LOCKED_USER)
        .append("\", password: \"")
        .append(lockedUserHash)
        .append("\", permissions: {publish: {deny: [\">\"]}, subscribe: {deny: [\">\"]}}}\n");
    for (User u : users) {
      String allow = "[\"" + u.subjectPrefix() + ".>\"]";
      out.append("    {user: \"")
          .append(u.username())
          .append("\", password: \"")
          .append(u.passwordHash())
          .append("\", permissions: {publish: {allow: ")
          .append(allow)
          .append("}, subscribe: {allow: ")
          .append(allow)
          .append("}}}\n");
    }
    return out.append("  ]\n}\n").toString();
  }

  /** Replaces the file in one step, then signals the server; throws when either fails. */
  void apply(List<User> users) {
    Path file = settings.authFile();
    try {
      Path next = Files.createTempFile(file.getParent(), "auth", ".tmp");
      Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(next, render(users, lockedUserHash));
      try {
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
      }
      reload();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }

  private void reload() throws IOException {
    String pid = Files.readString(settings.pidFile()).trim();
    if (!pid.matches("[0-9]+")) {
      throw new IllegalStateException("no nats-server pid in " + settings.pidFile());
    }
    // A pid file a crashed server left may name another process now: SIGHUP would end it.
    Path comm = Path.of("/proc", pid, "comm");
    if (Files.isDirectory(Path.of("/proc", "self"))
        && (!Files.exists(comm) || !Files.readString(comm).trim().startsWith("nats-server"))) {
      throw new IllegalStateException(
          "process " + pid + " in " + settings.pidFile() + " is not a running nats-server");
    }
    Process kill = new ProcessBuilder("kill", "-HUP", pid).redirectErrorStream(true).start();
    try {
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("cannot signal nats-server " + pid + " to reload");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling nats-server", e);
    }
  }
}
