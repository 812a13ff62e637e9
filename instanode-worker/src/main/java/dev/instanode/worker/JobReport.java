package dev.instanode.worker;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What one run did, as named counts. A run whose counts are all zero was an idle tick. */
public record JobReport(Map<String, Long> counts) {
  public JobReport {
    counts = Map.copyOf(counts);
  }

  public static JobReport idle() {
    return new JobReport(Map.of());
  }

  public boolean isIdle() {
    return counts.values().stream().allMatch(n -> n == 0);
  }

  public long count(String key) {
    return counts.getOrDefault(key, 0L);
  }

  @Override
  public String toString() {
    return new TreeMap<>(counts)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
  }

  /** A mutable counter a job fills during its run. Not thread-safe: one per run. */
  public static final class Tally {
    private final Map<String, Long> counts = new TreeMap<>();

    public Tally add(String key) {
      return add(key, 1);
    }

    public Tally add(String key, long n) {
      counts.merge(key, n, Long::sum);
      return this;
    }

    public JobReport report() {
      return new JobReport(counts);
    }
  }
}
