package dev.instanode.cluster;

import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * Splits a stream into lines, none longer than a bound: a pod that writes a gigabyte without a
 * newline is handed over in pieces, never held whole in memory.
 */
final class BoundedLines {
  /** The longest line handed over; a longer one is split at this many characters. */
  static final int MAX_CHARS = 16 * 1024;

  private BoundedLines() {}

  /** Hands each line (without its {@code \n} or {@code \r\n}) to {@code lines}, until the end. */
  static void read(Reader in, int maxChars, Consumer<String> lines) throws IOException {
    StringBuilder line = new StringBuilder();
    char[] buffer = new char[8192];
    int n;
    while ((n = in.read(buffer)) != -1) {
      for (int i = 0; i < n; i++) {
        char c = buffer[i];
        if (c == '\n') {
          int end = line.length();
          if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
          }
          lines.accept(line.toString());
          line.setLength(0);
        } else {
          line.append(c);
          if (line.length() == maxChars) {
            lines.accept(line.toString());
            line.setLength(0);
          }
        }
      }
    }
    if (!line.isEmpty()) {
      lines.accept(line.toString());
    }
  }
}
