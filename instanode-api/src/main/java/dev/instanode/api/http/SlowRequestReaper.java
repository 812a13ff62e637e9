package dev.instanode.api.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnects a client that takes longer than the read timeout to send a request's headers, or
 * again its body. Jetty's idle timeout restarts on every byte, so a client trickling one byte every
 * few seconds would otherwise hold a connection (and its buffers) for as long as it likes; Jetty 12
 * keeps the old minimum-data-rate setting but no longer enforces it.
 *
 * <p>Once a second it looks at every open HTTP/1 connection's parser. A connection whose parser has
 * been inside the same request's head (or the same request's body) since longer than the timeout is
 * closed.
 */
public final class SlowRequestReaper extends AbstractLifeCycle {
  private static final Logger LOG = LoggerFactory.getLogger(SlowRequestReaper.class);
  private static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

  private final Server server;
  private final Duration timeout;
  private final Runnable onClosed;
  private final LongSupplier nanoTime;
  private final Map<EndPoint, Spell> reading = new ConcurrentHashMap<>();
  private ScheduledExecutorService sweeper;

  /** Where a connection's parser was first seen in one phase of one request. */
  private record Spell(long messagesIn, boolean inHead, long since) {}

  public SlowRequestReaper(Server server, Duration timeout, Runnable onClosed) {
    this(server, timeout, onClosed, System::nanoTime);
  }

  SlowRequestReaper(Server server, Duration timeout, Runnable onClosed, LongSupplier nanoTime) {
    this.server = server;
    this.timeout = timeout;
    this.onClosed = onClosed;
    this.nanoTime = nanoTime;
  }

  @Override
  protected void doStart() {
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("slow-request-reaper").factory());
    sweeper.scheduleWithFixedDelay(
        this::sweepSafely, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  protected void doStop() {
    sweeper.shutdownNow();
    reading.clear();
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("http.slow_request_sweep_failed error={}", e.toString());
    }
  }

  void sweep() {
    long now = nanoTime.getAsLong();
    Map<EndPoint, Boolean> seen = new java.util.IdentityHashMap<>();
    for (Connector connector : server.getConnectors()) {
      for (EndPoint endPoint : connector.getConnectedEndPoints()) {
        seen.put(endPoint, Boolean.TRUE);
        if (endPoint.getConnection() instanceof HttpConnection http) {
          check(endPoint, http, now);
        }
      }
    }
    reading.keySet().removeIf(endPoint -> !seen.containsKey(endPoint));
  }

  private void check(EndPoint endPoint, HttpConnection http, long now) {
    HttpParser parser = http.getParser();
    boolean inHead = !parser.isStart() && parser.inHeaderState();
    boolean inBody = parser.inContentState();
    if (!inHead && !inBody) {
      reading.remove(endPoint);
      return;
    }
    Spell current = new Spell(http.getMessagesIn(), inHead, now);
    Spell spell =
        reading.merge(
            endPoint,
            current,
            (old, fresh) ->
                old.messagesIn() == fresh.messagesIn() && old.inHead() == fresh.inHead()
                    ? old
                    : fresh);
    if (now - spell.since() > timeout.toNanos()) {
      reading.remove(endPoint);
      LOG.info(
          "http.slow_request_closed remote={} phase={} timeout_seconds={}",
          endPoint.getRemoteSocketAddress(),
          inHead ? "headers" : "body",
          timeout.toSeconds());
      onClosed.run();
      endPoint.close(new TimeoutException("request not received within " + timeout));
    }
  }
}
