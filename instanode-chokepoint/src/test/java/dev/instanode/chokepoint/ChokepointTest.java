package dev.instanode.chokepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.RequestId;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of things, whoever calls: audit, guard, act, audit. */
class ChokepointTest {
  private static final NamespaceName STACK = NamespaceName.forStack(new StackSlug("stk-1a2b3c4d"));

  /** Records what was written, in order, and whether anything had happened by then. */
  private static final class Trail implements DestructionAudit {
    final List<String> events = new ArrayList<>();
    boolean failing;

    @Override
    public void write(Event event, Teardown teardown, Optional<String> detail) {
      if (failing) {
        throw new IllegalStateException("audit store down");
      }
      events.add(
          event.wireName()
              + " "
              + String.join(",", teardown.names().stream().map(n -> n.masked()).toList()));
    }
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Trail trail = new Trail();
  private final List<String> done = new ArrayList<>();
  private final Chokepoint chokepoint =
      new Chokepoint(new DropGuard(Set.of()), trail, meters, "test_destroy_total", e -> "error");

  private Teardown teardown(NamespaceName name) {
    return new Teardown(
        "stack",
        "kubernetes",
        List.of(name),
        "stack_expired",
        RequestId.random(),
        () -> {
          done.add("acted after " + trail.events);
        });
  }

  @Test
  void theRequestIsAuditedBeforeTheActAndTheOutcomeAfter() {
    chokepoint.destroy(teardown(STACK));
    assertThat(done)
        .containsExactly("acted after [deprovision.requested instant-stack-stk-1a2b3c4d]");
    assertThat(trail.events)
        .containsExactly(
            "deprovision.requested instant-stack-stk-1a2b3c4d",
            "deprovision.dropped instant-stack-stk-1a2b3c4d");
    assertThat(meters.get("test_destroy_total").tag("outcome", "ok").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void aRefusedNameIsAuditedAndNothingRuns() {
    assertThatThrownBy(() -> chokepoint.destroy(teardown(new NamespaceName("kube-system"))))
        .isInstanceOf(DestructionRefusedException.class);
    assertThat(done).isEmpty();
    assertThat(trail.events)
        .extracting(e -> e.split(" ")[0])
        .containsExactly("deprovision.requested", "deprovision.refused");
  }

  @Test
  void withoutItsAuditRowNothingRuns() {
    trail.failing = true;
    assertThatThrownBy(() -> chokepoint.destroy(teardown(STACK)))
        .isInstanceOf(DestructionUnauditedException.class);
    assertThat(done).isEmpty();
  }

  @Test
  void aFailedActIsAuditedAndItsErrorReachesTheCaller() {
    Teardown failing =
        new Teardown(
            "stack",
            "kubernetes",
            List.of(STACK),
            "user_delete",
            RequestId.random(),
            () -> {
              throw new IllegalStateException("cluster unreachable");
            });
    assertThatThrownBy(() -> chokepoint.destroy(failing)).hasMessage("cluster unreachable");
    assertThat(trail.events)
        .extracting(e -> e.split(" ")[0])
        .containsExactly("deprovision.requested", "deprovision.failed");
  }
}
