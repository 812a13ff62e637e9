package dev.instanode.api.webhooks;

import dev.instanode.api.wire.WebhookRequestsReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceToken;
import dev.instanode.store.WebhookRepository;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live streams of what receivers are sent: each stream is one virtual thread that reads what was
 * stored after the last request it sent, every half second, and sends each as a {@code request}
 * event (its id the event id, so a client that reconnects with {@code Last-Event-ID} misses nothing
 * the receiver still keeps). It is the only writer of its stream, heartbeat included.
 */
public final class WebhookStreams {
  /** Streams one receiver may have open on one api process. */
  static final int PER_RECEIVER = 5;

  /** Streams one api process holds at most, each a virtual thread reading twice a second. */
  static final int TOTAL = 1_000;

  static final Duration POLL = Duration.ofMillis(500);
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  /** How often, in polls, the receiver is checked to still exist. */
  private static final int LIVENESS_EVERY = 20;

  private static final int BATCH = 100;

  private final WebhookRepository requests;
  private final JsonMapper mapper;
  private final Map<ResourceToken, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  public WebhookStreams(WebhookRepository requests, JsonMapper mapper) {
    this.requests = requests;
    this.mapper = mapper;
  }

  /** A stream's place among its receiver's; closed when the stream ends. */
  public final class Slot implements AutoCloseable {
    private final ResourceToken token;
    private boolean closed;

    private Slot(ResourceToken token) {
      this.token = token;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        total.decrementAndGet();
        open.computeIfPresent(token, (t, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    }
  }

  /**
   * @throws ApiException {@code stream_limit_reached} when the receiver has all its streams open
   */
  public Slot reserve(ResourceToken token) {
    boolean[] taken = {false};
    // Check and count in one step, so a stream closing at the same moment cannot let one past.
    open.compute(
        token,
        (t, n) -> {
          int now = n == null ? 0 : n.get();
          if (now >= PER_RECEIVER || total.get() >= TOTAL) {
            return n;
          }
          taken[0] = true;
          total.incrementAndGet();
          return new AtomicInteger(now + 1);
        });
    if (!taken[0]) {
      throw new ApiException(
          ErrorCode.STREAM_LIMIT_REACHED,
          "This receiver has " + PER_RECEIVER + " live streams open already.",
          OptionalInt.of(5),
          null);
    }
    return new Slot(token);
  }

  /**
   * Sends what the receiver is sent from after {@code after} on, until the client leaves or {@code
   * receiverLives} says the receiver is gone (then an {@code end} event).
   */
  public void follow(SseClient client, Slot slot, long after, BooleanSupplier receiverLives) {
    try (slot) {
      client.keepAlive();
      long last = after;
      long polls = 0;
      long sinceBeat = 0;
      while (!client.terminated()) {
        List<WebhookRepository.Received> fresh = requests.after(slot.token, last, BATCH);
        for (WebhookRepository.Received r : fresh) {
          WebhookRequestsReply.Item item = WebhookService.item(r);
          client.sendEvent("request", mapper.writeValueAsString(item), Long.toString(r.id()));
          last = r.id();
        }
        polls++;
        if (polls % LIVENESS_EVERY == 0 && !receiverLives.getAsBoolean()) {
          client.sendEvent("end", "the receiver is gone, or this caller's access ended");
          break;
        }
        sinceBeat += POLL.toMillis();
        if (sinceBeat >= HEARTBEAT.toMillis()) {
          client.sendComment("keep-alive");
          sinceBeat = 0;
        }
        if (fresh.size() < BATCH) {
          Thread.sleep(POLL.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The platform database stopped answering: the client reconnects with Last-Event-ID.
      if (!client.terminated()) {
        client.sendEvent("error", "the stream stopped; reconnect to resume");
      }
    } finally {
      client.close();
    }
  }
}
