package dev.instanode.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import tools.jackson.databind.JsonNode;

/** Human tables by default, the api's JSON with {@code --json}; a spinner for slow calls. */
final class Printer {
  private Printer() {}

  static void json(PrintWriter out, JsonNode node) {
    out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    out.flush();
  }

  /** Columns padded to their widest cell. */
  static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  /** Field: value lines, for one object. */
  static void fields(PrintWriter out, JsonNode node, String... names) {
    int width = 0;
    for (String name : names) {
      width = Math.max(width, name.length());
    }
    for (String name : names) {
      JsonNode value = node.get(name);
      if (value != null && !value.isNull()) {
        out.println(pad(name + ":", width + 2) + (value.isValueNode() ? value.asString() : value));
      }
    }
    out.flush();
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
  }

  /**
   * Runs {@code work}, showing a spinner on stderr once it has taken 300 ms, only when a person is
   * watching (a terminal): scripts and pipes see nothing.
   */
  static <T> T spinning(PrintWriter err, String label, Callable<T> work) throws Exception {
    if (System.console() == null) {
      return work.call();
    }
    Thread spinner =
        Thread.ofVirtual()
            .start(() -> {
              String frames = "|/-\\";
              try {
                Thread.sleep(300);
                for (int i = 0; ; i++) {
                  err.print("\r" + frames.charAt(i % 4) + " " + label);
                  err.flush();
                  Thread.sleep(100);
                }
              } catch (InterruptedException e) {
                err.print("\r" + " ".repeat(label.length() + 2) + "\r");
                err.flush();
              }
            });
    try {
      return work.call();
    } finally {
      spinner.interrupt();
      spinner.join();
    }
  }
}
