package dev.instanode.api.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For {@code instanode dev} without SMTP: a message is written to the log at INFO, so a sign-in
 * link can be followed from the terminal. Never chosen when SMTP is configured, and never in serve
 * unless asked for ({@code MAIL_LOG=true}): a link in the log is a credential in the log.
 */
public final class LogMailer implements Mailer {
  private static final Logger LOG = LoggerFactory.getLogger(LogMailer.class);

  @Override
  public void deliver(Mail mail) {
    LOG.info("mail.logged to={} subject=\"{}\"\n{}", mail.to(), mail.subject(), mail.text());
  }
}
