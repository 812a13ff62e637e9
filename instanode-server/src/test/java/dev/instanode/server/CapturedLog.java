package dev.instanode.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Everything logged while it is open, as the text an operator would read. */
final class CapturedLog implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  CapturedLog() {
    appender.start();
    root.addAppender(appender);
  }

  /**
   * Each event's level, logger, message, arguments, MDC, key-value pairs and stack trace, one
   * string per event: all an encoder could write.
   */
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
    String arguments =
        e.getArgumentArray() == null ? "" : Arrays.deepToString(e.getArgumentArray());
    String pairs =
        e.getKeyValuePairs() == null
            ? ""
            : e.getKeyValuePairs().stream()
                .map(p -> p.key + "=" + p.value)
                .collect(Collectors.joining(" "));
    return e.getLevel()
        + " "
        + e.getLoggerName()
        + " "
        + e.getFormattedMessage()
        + " "
        + arguments
        + " "
        + e.getMDCPropertyMap()
        + " "
        + pairs
        + " "
        + stack;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
