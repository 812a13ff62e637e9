package dev.instanode.api.mail;

import static java.util.Objects.requireNonNull;

/**
 * One plain-text message to one address.
 *
 * @param template what kind of message, a bounded metric label ({@code magic_link}, ...)
 */
public record Mail(String to, String subject, String text, String template) {
  public Mail {
    requireNonNull(to, "to is null");
    requireNonNull(subject, "subject is null");
    requireNonNull(text, "text is null");
    requireNonNull(template, "template is null");
  }
}
