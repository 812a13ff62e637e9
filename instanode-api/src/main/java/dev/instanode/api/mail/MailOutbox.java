package dev.instanode.api.mail;

import dev.instanode.core.Masking;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mail off the request path, so a reply takes the same time whether a message went out or not
 * (a sign-in reply must not tell whether an email has an account). At most 8 messages are handed to
 * the server at once and 1000 wait; beyond that a message is dropped and counted. {@code
 * instant_mail_total{template,outcome}}: {@code done} (sent, or nothing to send: the two are not
 * told apart, so the metric cannot say whether an address has an account), {@code failed}, {@code
 * dropped}.
 */
public final class MailOutbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MailOutbox.class);
  private static final int MAX_SENDING = 8;
  private static final int MAX_WAITING = 1000;

  private final Mailer mailer;
  private final MeterRegistry meters;
  private final ExecutorService senders =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mail-", 0).factory());
  private final Semaphore sending = new Semaphore(MAX_SENDING);
  private final AtomicInteger waiting = new AtomicInteger();

  public MailOutbox(Mailer mailer, MeterRegistry meters) {
    this.mailer = mailer;
    this.meters = meters;
  }

  public void post(Mail mail) {
    postLater(mail.template(), () -> Optional.of(mail));
  }

  /**
   * Composes the message off the request path too ({@code compose} may read and write the
   * database), and sends it when there is one: nothing about it shows in the reply's time.
   */
  public void postLater(String template, Supplier<Optional<Mail>> compose) {
    if (waiting.incrementAndGet() > MAX_WAITING) {
      waiting.decrementAndGet();
      count(template, "dropped");
      LOG.warn("mail.dropped template={} reason=outbox_full", template);
      return;
    }
    senders.execute(() -> {
      try {
        sending.acquire();
      } catch (InterruptedException e) {
        waiting.decrementAndGet();
        count(template, "dropped");
        return;
      }
      waiting.decrementAndGet();
      try {
        Optional<Mail> mail = compose.get();
        if (mail.isPresent()) {
          mailer.deliver(mail.get());
        }
        // One outcome whether a message went or there was none to send: a sign-in link asked for
        // an address without an account must not show on /metrics either.
        count(template, "done");
      } catch (Mailer.MailException | RuntimeException e) {
        count(template, "failed");
        LOG.warn("mail.failed template={} reason={}", template, Masking.scrubUrls(e.getMessage()));
      } finally {
        sending.release();
      }
    });
  }

  private void count(String template, String outcome) {
    meters.counter("instant_mail_total", "template", template, "outcome", outcome).increment();
  }

  /** Gives queued messages 10 s to go out. */
  @Override
  public void close() {
    senders.shutdown();
    try {
      if (!senders.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("mail.shutdown_timeout: some messages were not sent");
        senders.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      senders.shutdownNow();
    }
  }
}
