package dev.instanode.api.mail;

/** Delivers a message now, or throws. */
public interface Mailer {
  void deliver(Mail mail) throws MailException;

  /** A message that could not be handed to the mail server. */
  final class MailException extends Exception {
    public MailException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
