package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A stack's status decided from what the cluster shows, never from what the row says. Pure: the
 * live state in, a verdict with a reason per service out.
 */
public final class StackHealth {
  /** Waiting reasons that will not fix themselves: the image or the program is wrong. */
  static final Set<String> STUCK =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "CrashLoopBackOff",
          "InvalidImageName",
          "CreateContainerConfigError");

  public enum State {
    DEPLOYING,
    HEALTHY,
    FAILED,
    /** The row says a namespace should exist and the cluster has none. */
    LOST;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One service's verdict; {@code reason} says why it is not healthy. */
  public record Service(String name, State state, Optional<String> reason) {
    public Service {
      requireNonNull(name, "name is null");
      requireNonNull(state, "state is null");
      requireNonNull(reason, "reason is null");
    }
  }

  /**
   * @param appliedTier the tier the namespace's quota was last applied at; empty when unknown
   */
  public record Verdict(State state, List<Service> services, Optional<String> appliedTier) {
    public Verdict {
      requireNonNull(state, "state is null");
      services = List.copyOf(services);
      requireNonNull(appliedTier, "appliedTier is null");
    }

    public Verdict(State state, List<Service> services) {
      this(state, services, Optional.empty());
    }
  }

  private StackHealth() {}

  /**
   * @param live empty when the namespace does not exist
   * @param expected the services the stack is meant to run
   * @param simulated nothing runs in a simulated cluster, so it never reports {@code healthy}
   */
  public static Verdict of(Optional<LiveStack> live, List<String> expected, boolean simulated) {
    if (live.isEmpty()) {
      return new Verdict(
          State.LOST,
          expected.stream()
              .map(name -> new Service(name, State.LOST, Optional.of("namespace is gone")))
              .toList());
    }
    Map<String, LiveService> byName =
        live.get().services().stream()
            .collect(Collectors.toMap(LiveService::name, Function.identity(), (a, b) -> a));
    List<Service> services = new ArrayList<>();
    for (String name : expected) {
      services.add(service(name, Optional.ofNullable(byName.get(name)), simulated));
    }
    State state;
    if (services.stream().anyMatch(s -> s.state() == State.FAILED)) {
      state = State.FAILED;
    } else if (services.stream().allMatch(s -> s.state() == State.HEALTHY)) {
      state = State.HEALTHY;
    } else {
      state = State.DEPLOYING;
    }
    return new Verdict(state, services, live.get().tier());
  }

  /**
   * A stack whose apply has not created its namespace yet: deploying, not lost. Only a stack that
   * was applied can be lost.
   */
  public static Verdict notYetApplied(List<String> expected) {
    return new Verdict(
        State.DEPLOYING,
        expected.stream()
            .map(name -> new Service(name, State.DEPLOYING, Optional.of("not applied yet")))
            .toList());
  }

  private static Service service(String name, Optional<LiveService> live, boolean simulated) {
    if (live.isEmpty()) {
      return new Service(name, State.DEPLOYING, Optional.of("not applied yet"));
    }
    Optional<String> stuck =
        live.get().waitingReasons().stream().filter(STUCK::contains).findFirst();
    if (stuck.isPresent()) {
      return new Service(name, State.FAILED, stuck);
    }
    if (simulated) {
      return new Service(
          name, State.DEPLOYING, Optional.of("simulated cluster: no container runs"));
    }
    LiveService s = live.get();
    if (s.desiredReplicas() > 0 && s.availableReplicas() >= s.desiredReplicas()) {
      return new Service(name, State.HEALTHY, Optional.empty());
    }
    return new Service(
        name,
        State.DEPLOYING,
        Optional.of(s.availableReplicas() + " of " + s.desiredReplicas() + " replicas available"));
  }
}
