package dev.instanode.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Everything logged while it is open, as the text an operator would read. */
final class CapturedLog implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  CapturedLog() {
    appender.start();
    root.addAppender(appender);
  }

  /** Each event's level, logger, message and stack trace, one string per event. */
  List<String> lines() {
    return List.copyOf(appender.list).stream().map(CapturedLog::render).toList();
  }

  /** The events themselves, for their key-value pairs. */
  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  List<String> errors() {
    return List.copyOf(appender.list).stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(CapturedLog::render)
        .toList();
  }

  private static String render(ILoggingEvent e) {
    String stack =
        e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy());
    return e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage() + " " + stack;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
