package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.AuditKind;
import dev.instanode.core.TeamId;
import dev.instanode.testkit.TestPostgres;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditLogTest {
  private static PlatformDatabase db;

  @BeforeAll
  static void migrate() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("audit"), 4);
    db.migrate();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void aBurstIsWrittenInFewTransactionsAndCloseLosesNone() {
    String burst = "burst-" + UUID.randomUUID();
    AuditLog audit = new AuditLog(db.jdbi());
    for (int i = 0; i < 1_000; i++) {
      audit.record(event(Optional.empty(), burst));
    }
    audit.close();

    assertThat(count("SELECT count(*) FROM audit_log WHERE request_id = ?", burst))
        .isEqualTo(1_000);
    // Rows of one transaction share xmin: far fewer transactions than rows means one commit per
    // batch, not per row.
    assertThat(
            count("SELECT count(DISTINCT xmin::text) FROM audit_log WHERE request_id = ?", burst))
        .isLessThanOrEqualTo(250);
  }

  @Test
  void oneRowTheDatabaseRefusesDoesNotCostItsNeighbours() {
    String mixed = "mixed-" + UUID.randomUUID();
    AuditLog audit = new AuditLog(db.jdbi());
    for (int i = 0; i < 50; i++) {
      audit.record(event(Optional.empty(), mixed));
    }
    // No such team: the foreign key refuses this row, and only this row.
    audit.record(event(Optional.of(new TeamId(UUID.randomUUID())), mixed));
    for (int i = 0; i < 50; i++) {
      audit.record(event(Optional.empty(), mixed));
    }
    audit.close();

    assertThat(count("SELECT count(*) FROM audit_log WHERE request_id = ?", mixed)).isEqualTo(100);
  }

  @Test
  void recordAfterCloseIsDroppedNotThrown() {
    String late = "late-" + UUID.randomUUID();
    AuditLog audit = new AuditLog(db.jdbi());
    audit.close();
    audit.record(event(Optional.empty(), late));
    assertThat(count("SELECT count(*) FROM audit_log WHERE request_id = ?", late)).isZero();
  }

  private static AuditEvent event(Optional<TeamId> team, String requestId) {
    return new AuditEvent(
        team,
        AuditEvent.Actor.SYSTEM,
        AuditKind.PROVISION,
        Optional.of("postgres"),
        Optional.empty(),
        "audit batching",
        Map.of("n", 1),
        Optional.of(requestId));
  }

  private static long count(String sql, String requestId) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).bind(0, requestId).mapTo(Long.class).one());
  }
}
