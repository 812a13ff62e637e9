package dev.instanode.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DropGuardTest {
  private final DropGuard guard = new DropGuard(Set.of("instanode_platform"));

  @Test
  void refusesSystemAndPlatformDatabases() {
    assertThat(guard.refusal("postgres")).isPresent();
    assertThat(guard.refusal("template0")).isPresent();
    assertThat(guard.refusal("template1")).isPresent();
    assertThat(guard.refusal("instanode_platform")).isPresent();
    assertThat(guard.refusal("INSTANODE_PLATFORM")).isPresent();
  }

  /** The chokepoint must never DELUSER Redis's admin user, whatever a backend names. */
  @Test
  void refusesTheRedisDefaultUser() {
    assertThat(guard.refusal("default")).contains("name is on the denylist");
    assertThat(guard.refusal("DEFAULT")).contains("name is on the denylist");
  }

  @Test
  void refusesNamesWithoutOurPrefixesOrWithOddCharacters() {
    assertThat(guard.refusal("customers")).contains("name lacks a customer prefix (db_, usr_)");
    assertThat(guard.refusal("db_x; DROP DATABASE postgres")).isPresent();
    assertThat(guard.refusal("db_" + "x".repeat(61))).isPresent();
    assertThat(guard.refusal("")).isPresent();
  }

  @Test
  void allowsCustomerObjects() {
    assertThat(guard.refusal("db_0b7f3c1e-1111-2222-3333-444455556666")).isEmpty();
    assertThat(guard.refusal("usr_0b7f3c1e-1111-2222-3333-444455556666")).isEmpty();
  }

  @Test
  void chokepointNeverCallsTheBackendForARefusedNameAndCountsTheRefusal() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RecordingBackend backend = new RecordingBackend(List.of("db_ok", "postgres"));
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(guard, new Breakers(meters, Clock.systemUTC()), meters);
    assertThatThrownBy(() -> chokepoint.drop(backend, "tok", "local:0", "test", "r1"))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.REFUSED);
    assertThat(backend.drops).isEmpty();
    assertThat(
            meters
                .get("instant_provisioner_drop_total")
                .tag("outcome", "refused")
                .tag("resource_type", "postgres")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  /** A backend that records drops and names whatever it is told to. */
  private static final class RecordingBackend extends DropOnlyBackend {
    private final List<String> names;
    final List<String> drops = new ArrayList<>();

    RecordingBackend(List<String> names) {
      this.names = names;
    }

    @Override
    public List<String> objectNames(String namingToken) {
      return names;
    }

    @Override
    public void drop(String namingToken, String providerResourceId) {
      drops.add(namingToken);
    }
  }
}
