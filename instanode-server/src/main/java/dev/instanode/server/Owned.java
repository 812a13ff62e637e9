package dev.instanode.server;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything the assemblies start, closed in reverse order of starting. */
final class Owned implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Owned.class);

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

  <T extends AutoCloseable> T own(T closeable) {
    closeables.push(closeable);
    return closeable;
  }

  @Override
  public void close() {
    while (!closeables.isEmpty()) {
      AutoCloseable c = closeables.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn(
            "shutdown.close_failed component={} error={}",
            c.getClass().getSimpleName(),
            e.toString());
      }
    }
  }
}
