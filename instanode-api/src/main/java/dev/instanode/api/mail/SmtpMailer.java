package dev.instanode.api.mail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Sends through an SMTP server with Jakarta Mail, bounded by 10-second timeouts. */
public final class SmtpMailer implements Mailer {
  private static final String TIMEOUT_MILLIS = "10000";

  private final SmtpSettings settings;
  private final Session session;

  public SmtpMailer(SmtpSettings settings) {
    this.settings = settings;
    String protocol = settings.implicitTls() ? "smtps" : "smtp";
    Properties props = new Properties();
    props.put("mail.transport.protocol", protocol);
    props.put("mail." + protocol + ".host", settings.host());
    props.put("mail." + protocol + ".port", Integer.toString(settings.port()));
    props.put("mail." + protocol + ".auth", Boolean.toString(settings.user().isPresent()));
    props.put("mail." + protocol + ".connectiontimeout", TIMEOUT_MILLIS);
    props.put("mail." + protocol + ".timeout", TIMEOUT_MILLIS);
    props.put("mail." + protocol + ".writetimeout", TIMEOUT_MILLIS);
    if (settings.startTls()) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    if (settings.implicitTls() || settings.startTls()) {
      props.put("mail." + protocol + ".ssl.checkserveridentity", "true");
    }
    this.session = Session.getInstance(props);
  }

  @Override
  public void deliver(Mail mail) throws MailException {
    try {
      MimeMessage message = new MimeMessage(session);
      message.setFrom(new InternetAddress(settings.from()));
      message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(mail.to(), true));
      message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
      message.setText(mail.text(), StandardCharsets.UTF_8.name());
      if (settings.user().isPresent()) {
        Transport.send(message, settings.user().get(), settings.password().orElse(""));
      } else {
        Transport.send(message);
      }
    } catch (MessagingException e) {
      throw new MailException("SMTP delivery failed: " + e.getMessage(), e);
    }
  }
}
