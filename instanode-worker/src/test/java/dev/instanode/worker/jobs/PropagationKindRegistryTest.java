package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.PropagationKind;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rule 18: walk the registries against the live schema, never a hand-typed list. */
class PropagationKindRegistryTest {
  private static final Pattern LITERAL = Pattern.compile("'([^']*)'");
  private static PlatformDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestDatabases.platform("kinds");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static Set<String> kindsAllowedByTheDatabase() {
    String definition =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
                            + " JOIN pg_attribute a ON a.attrelid = c.conrelid"
                            + " AND a.attnum = ANY(c.conkey)"
                            + " WHERE c.conrelid = 'pending_propagations'::regclass"
                            + " AND c.contype = 'c' AND a.attname = 'kind'")
                    .mapTo(String.class)
                    .one());
    Set<String> kinds = new TreeSet<>();
    Matcher m = LITERAL.matcher(definition);
    while (m.find()) {
      kinds.add(m.group(1));
    }
    return kinds;
  }

  @Test
  void everyKindTheDatabaseAllowsHasAHandlerAndViceVersa() {
    Set<String> registry =
        Arrays.stream(PropagationKind.values())
            .map(PropagationKind::wire)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> handled =
        PropagationHandlers.standard(
                db.jdbi(), new FakeProvisioner(), new SimpleMeterRegistry(), Clock.systemUTC())
            .keySet()
            .stream()
            .map(PropagationKind::wire)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(kindsAllowedByTheDatabase()).isNotEmpty().isEqualTo(registry);
    assertThat(handled).isEqualTo(registry);
  }

  @Test
  void theConstraintIsLiveAndRefusesAKindOutsideTheRegistry() {
    assertThatThrownBy(() ->
            db.jdbi()
                .useHandle(h ->
                    h.execute(
                        "WITH t AS (INSERT INTO teams (name) VALUES ('x') RETURNING id)"
                            + " INSERT INTO pending_propagations (kind, team_id, target_tier)"
                            + " SELECT 'not_a_kind', id, 'pro' FROM t")))
        .hasMessageContaining("pending_propagations_kind_check");
  }
}
