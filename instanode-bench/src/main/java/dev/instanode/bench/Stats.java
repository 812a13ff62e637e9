package dev.instanode.bench;

import java.util.List;
import java.util.Locale;

/** Exact percentiles over one scenario's samples, in milliseconds. */
record Stats(
    String scenario,
    int clients,
    int n,
    double p50,
    double p99,
    double serverP50,
    double serverP99,
    double perSecond) {

  static Stats of(String scenario, int clients, List<double[]> samples, double wallSeconds) {
    double[] client = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
    double[] server = samples.stream().mapToDouble(s -> s[1]).sorted().toArray();
    return new Stats(
        scenario,
        clients,
        client.length,
        percentile(client, 50),
        percentile(client, 99),
        percentile(server, 50),
        percentile(server, 99),
        client.length / wallSeconds);
  }

  static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static String header() {
    return String.format(
        Locale.ROOT,
        "| %-34s | %7s | %5s | %9s | %9s | %12s | %12s | %9s |%n|%s|%s|%s|%s|%s|%s|%s|%s|",
        "scenario",
        "clients",
        "n",
        "p50 ms",
        "p99 ms",
        "server p50",
        "server p99",
        "req/s",
        "-".repeat(36),
        "-".repeat(9),
        "-".repeat(7),
        "-".repeat(11),
        "-".repeat(11),
        "-".repeat(14),
        "-".repeat(14),
        "-".repeat(11));
  }

  String row() {
    return String.format(
        Locale.ROOT,
        "| %-34s | %7d | %5d | %9.2f | %9.2f | %12s | %12s | %9.1f |",
        scenario,
        clients,
        n,
        p50,
        p99,
        fmt(serverP50),
        fmt(serverP99),
        perSecond);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  static double[] sample(double clientMillis, double serverMillis) {
    return new double[] {clientMillis, serverMillis};
  }
}
