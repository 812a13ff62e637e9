package dev.instanode.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

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

  /**
   * Per target, its samples and wall time, and the CPU milliseconds per request each part of the
   * machine spent while it ran (see {@link CpuMeter}); and per round, each target's client p50.
   */
  record Result(
      Map<String, Stats> stats,
      Map<String, Map<String, Double>> cpuPerRequest,
      List<Map<String, Double>> roundP50s) {
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
    Map<String, Map<String, Long>> cpu = new LinkedHashMap<>();
    targets.forEach(t -> {
      samples.put(t.name(), Collections.synchronizedList(new ArrayList<>()));
      wall.put(t.name(), 0.0);
      cpu.put(t.name(), new LinkedHashMap<>());
    });
    List<Map<String, Double>> roundP50s = new ArrayList<>();
    int batch = requests / rounds;
    // One set of client threads for the whole run, so their CPU time is still there to read.
    AtomicInteger threadNumber = new AtomicInteger();
    try (ExecutorService pool =
        Executors.newFixedThreadPool(
            clients,
            r -> new Thread(r, CpuMeter.CLIENT_THREAD_PREFIX + threadNumber.incrementAndGet()))) {
      for (int round = 0; round < rounds; round++) {
        Map<String, Double> p50s = new LinkedHashMap<>();
        for (int k = 0; k < targets.size(); k++) {
          Target target = targets.get((round + k) % targets.size());
          List<double[]> these = Collections.synchronizedList(new ArrayList<>());
          Map<String, Long> cpuBefore = CpuMeter.snapshot();
          long began = System.nanoTime();
          runBatch(pool, target, batch, these);
          wall.merge(target.name(), (System.nanoTime() - began) / 1e9, Double::sum);
          CpuMeter.since(cpuBefore)
              .forEach((part, nanos) -> cpu.get(target.name()).merge(part, nanos, Long::sum));
          samples.get(target.name()).addAll(these);
          p50s.put(
              target.name(),
              Stats.percentile(these.stream().mapToDouble(s -> s[0]).sorted().toArray(), 50));
        }
        roundP50s.add(p50s);
      }
    }
    Map<String, Stats> stats = new LinkedHashMap<>();
    samples.forEach((name, list) -> stats.put(name, Stats.of(name, clients, list, wall.get(name))));
    Map<String, Map<String, Double>> cpuPerRequest = new LinkedHashMap<>();
    cpu.forEach((name, parts) -> {
      Map<String, Double> perRequest = new LinkedHashMap<>();
      int n = samples.get(name).size();
      parts.forEach((part, nanos) -> perRequest.put(part, nanos / 1e6 / n));
      cpuPerRequest.put(name, perRequest);
    });
    return new Result(stats, cpuPerRequest, roundP50s);
  }

  private static void runBatch(ExecutorService pool, Target target, int n, List<double[]> into)
      throws Exception {
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
