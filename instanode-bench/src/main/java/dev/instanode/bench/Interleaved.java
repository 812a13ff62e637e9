package dev.instanode.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures several targets in alternating rounds: each round sends a batch to every target, in an
 * order that rotates from round to round. A host that slows down for a while slows every target in
 * that stretch alike, so a ratio between targets measures the code, not the host's mood. Each
 * round's p50s give one ratio; the report gives their median.
 */
final class Interleaved {
  private final int clients;
  private final int requests;
  private final int rounds;

  /**
   * @param requests measured per target; split over rounds of at least 4 per client
   */
  Interleaved(int clients, int requests) {
    this.clients = clients;
    this.requests = requests;
    this.rounds = Math.max(1, requests / Math.max(20, clients * 4));
  }

  /** Per target, its samples and wall time; and per round, each target's client p50. */
  record Result(Map<String, Stats> stats, List<Map<String, Double>> roundP50s) {
    /** The median over rounds of {@code a}'s p50 divided by {@code b}'s. */
    double medianRatio(String a, String b) {
      List<Double> ratios = new ArrayList<>();
      for (Map<String, Double> round : roundP50s) {
        ratios.add(round.get(a) / round.get(b));
      }
      Collections.sort(ratios);
      return ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() / 2);
    }
  }

  Result measure(List<Target> targets) throws Exception {
    Map<String, List<double[]>> samples = new LinkedHashMap<>();
    Map<String, Double> wall = new LinkedHashMap<>();
    targets.forEach(t -> {
      samples.put(t.name(), Collections.synchronizedList(new ArrayList<>()));
      wall.put(t.name(), 0.0);
    });
    List<Map<String, Double>> roundP50s = new ArrayList<>();
    int batch = requests / rounds;
    for (int round = 0; round < rounds; round++) {
      Map<String, Double> p50s = new LinkedHashMap<>();
      for (int k = 0; k < targets.size(); k++) {
        Target target = targets.get((round + k) % targets.size());
        List<double[]> these = Collections.synchronizedList(new ArrayList<>());
        long began = System.nanoTime();
        runBatch(target, batch, these);
        wall.merge(target.name(), (System.nanoTime() - began) / 1e9, Double::sum);
        samples.get(target.name()).addAll(these);
        p50s.put(
            target.name(),
            Stats.percentile(these.stream().mapToDouble(s -> s[0]).sorted().toArray(), 50));
      }
      roundP50s.add(p50s);
    }
    Map<String, Stats> stats = new LinkedHashMap<>();
    samples.forEach((name, list) -> stats.put(name, Stats.of(name, clients, list, wall.get(name))));
    return new Result(stats, roundP50s);
  }

  private void runBatch(Target target, int n, List<double[]> into) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(() -> {
              into.add(target.provisionOnce());
              return null;
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
  }
}
