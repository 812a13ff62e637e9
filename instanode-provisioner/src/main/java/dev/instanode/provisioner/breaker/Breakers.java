package dev.instanode.provisioner.breaker;

import dev.instanode.provisioner.engine.ResourceBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One circuit breaker per backend (5 failures, open 30 s), with its metrics. */
public final class Breakers {
  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);
  public static final int THRESHOLD = 5;
  public static final Duration OPEN_FOR = Duration.ofSeconds(30);

  private final Map<String, CircuitBreaker> byBackend = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final Clock clock;

  public Breakers(MeterRegistry meters, Clock clock) {
    this.meters = meters;
    this.clock = clock;
  }

  /** {@code postgres_shared}, {@code redis_shared}: the backend's metric label. */
  public static String name(ResourceBackend backend) {
    return backend.type().wireName() + "_" + backend.backendLabel();
  }

  public CircuitBreaker of(ResourceBackend backend) {
    return byBackend.computeIfAbsent(name(backend), this::create);
  }

  private CircuitBreaker create(String name) {
    CircuitBreaker breaker =
        new CircuitBreaker(
            name,
            THRESHOLD,
            OPEN_FOR,
            clock,
            (n, from, to) -> {
              LOG.warn("provisioner.circuit backend={} from={} to={}", n, from, to);
              if (to == CircuitBreaker.State.OPEN) {
                Counter.builder("instant_provisioner_circuit_opens_total")
                    .description("Times a backend's circuit opened")
                    .tag("backend", n)
                    .register(meters)
                    .increment();
              }
            });
    Gauge.builder("instant_provisioner_circuit_state", breaker, b -> b.state().ordinal())
        .description("0 closed, 1 open, 2 half-open")
        .tag("backend", name)
        .register(meters);
    return breaker;
  }
}
