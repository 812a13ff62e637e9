package dev.instanode.provisioner.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import dev.instanode.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final List<String> transitions = new ArrayList<>();
  private final CircuitBreaker breaker =
      new CircuitBreaker(
          "postgres_shared",
          5,
          Duration.ofSeconds(30),
          clock,
          (name, from, to) -> transitions.add(from + "->" + to));
  private final AtomicInteger backendCalls = new AtomicInteger();

  @Test
  void opensAfterFiveConsecutiveFailuresAndStopsCallingTheBackend() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> breaker.call(this::failUnavailable))
          .isInstanceOf(ProvisionerException.class);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> breaker.call(this::succeed))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(Kind.CIRCUIT_OPEN);
    assertThat(backendCalls).hasValue(5);
  }

  @Test
  void aSuccessResetsTheCount() {
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> breaker.call(this::failUnavailable));
    }
    breaker.call(this::succeed);
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> breaker.call(this::failUnavailable));
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void callerMistakesDoNotOpenTheCircuit() {
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() ->
          breaker.call(() -> {
            throw new ProvisionerException(Kind.INVALID_ARGUMENT, "bad", null);
          }));
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void afterThirtySecondsOneTrialIsAllowedAndItsSuccessCloses() {
    open();
    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> breaker.call(this::succeed));
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.call(this::succeed)).isEqualTo("ok");
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
  }

  @Test
  void aFailedTrialOpensAgainForAnotherThirtySeconds() {
    open();
    clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> breaker.call(this::failUnavailable));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> breaker.call(this::succeed))
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(Kind.CIRCUIT_OPEN);
  }

  @Test
  void onlyOneTrialRunsWhileHalfOpen() {
    open();
    clock.advance(Duration.ofSeconds(30));
    List<Throwable> rejected = new ArrayList<>();
    breaker.call(() -> {
      try {
        breaker.call(this::succeed);
      } catch (ProvisionerException e) {
        rejected.add(e);
      }
      return "trial";
    });
    assertThat(rejected)
        .singleElement()
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(Kind.CIRCUIT_OPEN);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  private void open() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> breaker.call(this::failUnavailable));
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  private String succeed() {
    backendCalls.incrementAndGet();
    return "ok";
  }

  private String failUnavailable() {
    backendCalls.incrementAndGet();
    throw new ProvisionerException(Kind.UNAVAILABLE, "connection refused", null);
  }
}
