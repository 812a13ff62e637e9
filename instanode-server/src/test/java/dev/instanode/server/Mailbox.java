package dev.instanode.server;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** A real SMTP server (GreenMail) on a free port, and what it received, decoded. */
final class Mailbox implements AutoCloseable {
  private final GreenMail server = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

  private Mailbox() {}

  static Mailbox start() {
    Mailbox box = new Mailbox();
    box.server.start();
    return box;
  }

  String smtpUrl() {
    return "smtp://127.0.0.1:" + server.getSmtp().getPort();
  }

  /** One received message, its body decoded (no quoted-printable soft breaks). */
  record Received(String to, String subject, String text) {
    /** The first match of {@code pattern}'s group 1 in the body. */
    String find(Pattern pattern) {
      Matcher m = pattern.matcher(text);
      if (!m.find()) {
        throw new AssertionError("no " + pattern + " in:\n" + text);
      }
      return m.group(1);
    }
  }

  /** Waits up to 10 s for a message to {@code to} whose subject contains {@code subject}. */
  Received await(String to, String subject) {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> newest(to, subject), Optional::isPresent)
        .orElseThrow();
  }

  /** Every message received so far, to anyone. */
  List<Received> all() {
    return Arrays.stream(server.getReceivedMessages()).map(Mailbox::decode).toList();
  }

  private Optional<Received> newest(String to, String subject) {
    List<Received> matching =
        all().stream()
            .filter(r -> r.to().equalsIgnoreCase(to) && r.subject().contains(subject))
            .toList();
    return matching.isEmpty() ? Optional.empty() : Optional.of(matching.getLast());
  }

  private static Received decode(MimeMessage message) {
    try {
      return new Received(
          ((InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).getAddress(),
          message.getSubject(),
          message.getContent().toString());
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
