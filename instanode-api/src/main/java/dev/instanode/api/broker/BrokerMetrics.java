package dev.instanode.api.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The broker's counters; every label has a fixed, small set of values. */
public final class BrokerMetrics {
  private final MeterRegistry meters;

  public BrokerMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** One answered broker call: {@code operation} is the route's name, {@code status} its code. */
  void request(String operation, int status) {
    Counter.builder("instant_broker_requests_total")
        .description("Open Service Broker API calls, by operation and HTTP status")
        .tag("operation", operation)
        .tag("status", Integer.toString(status))
        .register(meters)
        .increment();
  }

  /** A binding login made or dropped. */
  void binding(String operation, String outcome) {
    Counter.builder("instant_broker_bindings_total")
        .description("Binding logins the broker made or dropped, by outcome")
        .tag("operation", operation)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
