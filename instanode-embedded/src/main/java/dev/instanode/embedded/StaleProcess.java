package dev.instanode.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server left running by a JVM that was killed before it could stop it. Stopping it (SIGTERM)
 * before the next start lets {@code instanode dev} recover without the user hunting pids.
 */
final class StaleProcess {
  private static final Logger LOG = LoggerFactory.getLogger(StaleProcess.class);

  private StaleProcess() {}

  static void stopIfRunning(Path pidFile, String commandFragment) {
    Optional<ProcessHandle> process = readPid(pidFile).flatMap(ProcessHandle::of);
    if (process.isEmpty() || !process.get().isAlive()) {
      return;
    }
    String command = process.get().info().command().orElse("");
    if (!command.contains(commandFragment)) {
      return;
    }
    LOG.warn("dev.stale_process_stopped pid={} command={}", process.get().pid(), command);
    process.get().destroy();
    try {
      process.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      process.get().destroyForcibly();
    }
    waitGone(process.get(), Duration.ofSeconds(5));
  }

  private static void waitGone(ProcessHandle process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
