package dev.instanode.provisioner.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.core.names.RoleName;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.testkit.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plan limits on a shared cluster, checked the way a tenant would meet them: over its own URL. */
class PostgresLimitsTest {
  private static final Duration GRACE = Duration.ofMillis(300);
  private static ClusterPlacement placement;
  private static PostgresBackend backend;

  @BeforeAll
  static void setUp() {
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    placement.hardenClusters();
    backend =
        new PostgresBackend(
            placement, Plans.bundled(), ProvisionStepHook.NONE, GRACE, Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    placement.close();
  }

  private record Tenant(InfraKey naming, ProvisionResult made) {
    Connection connect() throws SQLException {
      return TestPostgres.connect(PostgresUrl.parse(made.connectionUrl()));
    }
  }

  private static Tenant tenant(Tier tier) {
    ResourceToken naming = ResourceToken.random();
    return new Tenant(naming, backend.provision(naming, tier, RequestId.random()));
  }

  @Test
  void aNewRoleCarriesItsTiersBoundsAndCannotRaiseItsTempFileLimit() throws SQLException {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      assertThat(show(s, "statement_timeout")).isEqualTo("30s");
      assertThat(show(s, "idle_in_transaction_session_timeout")).isEqualTo("1min");
      assertThat(show(s, "temp_file_limit")).isEqualTo("64MB");
      assertThat(show(s, "work_mem")).isEqualTo("4MB");
      assertThatThrownBy(() -> s.execute("SET temp_file_limit = '10GB'"))
          .hasMessageContaining("permission denied to set parameter \"temp_file_limit\"");
    }
  }

  @Test
  void regradeAppliesEveryBoundOfTheNewTierThenHasNothingLeftToDo() throws SQLException {
    Tenant t = tenant(Tier.ANONYMOUS);
    ProviderResourceId prid = t.made().providerResourceId();
    assertThat(backend.regrade(t.naming(), prid, Tier.PRO).applied()).isTrue();
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      assertThat(show(s, "statement_timeout")).isEqualTo("30min");
      assertThat(show(s, "temp_file_limit")).isEqualTo("10GB");
    }
    RegradeResult again = backend.regrade(t.naming(), prid, Tier.PRO);
    assertThat(again.skipReason()).contains(RegradeResult.ALREADY_CORRECT);
    assertThat(backend.grade(Tier.ANONYMOUS)).isEqualTo(backend.grade(Tier.FREE));
    assertThat(backend.grade(Tier.ANONYMOUS)).isNotEqualTo(backend.grade(Tier.HOBBY));
  }

  @Test
  void usageMeasuresEachDatabaseAndCountsItsSessions() throws SQLException {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE big AS SELECT repeat('x', 1000) AS v FROM generate_series(1, 3000)");
      TenantUsage usage = usageOf(t);
      assertThat(usage.bytes()).isGreaterThan(3_000_000);
      assertThat(usage.connections()).isEqualTo(1);
      assertThat(usage.writesBlocked()).isFalse();
    }
  }

  @Test
  void aFrozenDatabaseKeepsReadsAndEveryWayToShrinkAndRefusesEveryWayToWrite() throws SQLException {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id serial PRIMARY KEY, v text)");
      s.execute("INSERT INTO t (v) SELECT 'x' FROM generate_series(1, 10)");
      s.execute("CREATE SCHEMA app");
      s.execute("CREATE TABLE app.u (v text)");
      s.execute("CREATE VIEW vt AS SELECT * FROM t");
      // Planted while it still owned everything, to write or re-grant once frozen.
      s.execute(
          "CREATE FUNCTION sneak() RETURNS void LANGUAGE sql SECURITY DEFINER AS"
              + " $$ INSERT INTO t (v) VALUES ('sneak') $$");
      // Grants made while it still owned its tables, to outlive the ownership move.
      s.execute("GRANT INSERT, UPDATE ON t TO PUBLIC");
      s.execute("GRANT INSERT (v) ON t TO " + quoted(role(t)));
      s.execute("GRANT USAGE ON SEQUENCE t_id_seq TO PUBLIC");
      s.execute("SELECT lo_create(0)");
      s.execute(
          "CREATE FUNCTION regrant() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS"
              + " $$ BEGIN EXECUTE 'GRANT INSERT ON t TO "
              + quoted(role(t))
              + "'; END $$");
    }

    assertThat(backend.setWritesBlocked(t.naming(), prid(t), true)).isTrue();
    assertThat(backend.setWritesBlocked(t.naming(), prid(t), true)).as("idempotent").isFalse();
    assertThat(usageOf(t).writesBlocked()).isTrue();

    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      for (String write :
          List.of(
              "INSERT INTO t (v) VALUES ('no')",
              "INSERT INTO t (id, v) VALUES (99, 'no')",
              "UPDATE t SET v = 'no'",
              "SELECT lo_put((SELECT min(oid) FROM pg_largeobject_metadata), 0, 'x')",
              "INSERT INTO vt (v) VALUES ('no')",
              "SELECT sneak()",
              "SELECT regrant()",
              "GRANT INSERT ON t TO " + quoted(role(t)),
              "ALTER TABLE t OWNER TO " + quoted(role(t)),
              "CREATE TABLE t2 (id int)",
              "CREATE TEMP TABLE tt (id int)",
              "SELECT 1 AS x INTO t3",
              "CREATE INDEX ON t (v)",
              "SELECT lo_create(0)",
              "SELECT nextval('t_id_seq')",
              "SET ROLE " + quoted(WriteFreeze.keeperOf(role(t))),
              "SET session_replication_role = replica",
              "REASSIGN OWNED BY "
                  + quoted(WriteFreeze.keeperOf(role(t)))
                  + " TO "
                  + quoted(role(t)),
              "DROP EVENT TRIGGER " + WriteFreeze.EVENT_TRIGGER,
              "ALTER EVENT TRIGGER " + WriteFreeze.EVENT_TRIGGER + " DISABLE")) {
        assertThatThrownBy(() -> s.execute(write)).as(write).isInstanceOf(SQLException.class);
      }
      assertThat(count(s, "SELECT count(*) FROM t")).isEqualTo(10);
      assertThat(count(s, "SELECT count(*) FROM vt")).isEqualTo(10);
      s.execute("DELETE FROM t WHERE id = 1");
      s.execute("VACUUM FULL t");
      s.execute("TRUNCATE app.u");
      s.execute("DROP TABLE app.u");
      assertThat(count(s, "SELECT count(*) FROM t")).isEqualTo(9);
    }

    assertThat(backend.setWritesBlocked(t.naming(), prid(t), false)).isTrue();
    assertThat(usageOf(t).writesBlocked()).isFalse();
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO t (v) VALUES ('back')");
      s.execute("CREATE TABLE t2 (id int)");
      s.execute("CREATE TEMP TABLE tt (id int)");
      assertThat(count(s, "SELECT count(*) FROM t")).isEqualTo(10);
    }
    assertThat(roleExists(WriteFreeze.keeperOf(role(t)))).isFalse();
  }

  @Test
  void aTenantHoldingALockCannotKeepItsDatabaseFromFreezing() throws Exception {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v text)");
      c.setAutoCommit(false);
      s.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      assertThat(backend.setWritesBlocked(t.naming(), prid(t), true)).isTrue();
    }
    assertThat(usageOf(t).writesBlocked()).isTrue();
  }

  @Test
  void droppingAFrozenDatabaseDropsItsKeeperToo() throws SQLException {
    Tenant t = tenant(Tier.ANONYMOUS);
    backend.setWritesBlocked(t.naming(), prid(t), true);
    assertThat(backend.objectNames(t.naming()))
        .contains(new RoleName(WriteFreeze.keeperOf(role(t))));
    backend.drop(t.naming(), prid(t));
    assertThat(roleExists(WriteFreeze.keeperOf(role(t)))).isFalse();
    assertThat(roleExists(role(t))).isFalse();
  }

  @Test
  void connectionsOverTheCapAreEndedNewestFirst() throws Exception {
    Tenant t = tenant(Tier.HOBBY);
    List<Connection> open = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        open.add(t.connect());
        Thread.sleep(20);
      }
      assertThat(backend.closeConnectionsOver(t.naming(), prid(t), 2)).isEqualTo(3);
      assertThat(alive(open.get(0))).isTrue();
      assertThat(alive(open.get(1))).isTrue();
      for (Connection newer : open.subList(2, 5)) {
        assertThat(alive(newer)).isFalse();
      }
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  /** Its plan's bounds as the worker sends them: a short statement bound for these tests. */
  private static Map<InfraKey, RunawayBounds> halfSecond(Tenant t) {
    return Map.of(t.naming(), new RunawayBounds(Duration.ofMillis(500), Duration.ofMillis(500)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SET statement_timeout = 0",
        "SET statement_timeout = '1h'",
        "ALTER ROLE CURRENT_USER SET statement_timeout = 0"
      })
  void aStatementPastItsPlansBoundIsCancelledWhateverTheTenantSetForItself(String lift)
      throws Exception {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        ExecutorService thread = Executors.newSingleThreadExecutor()) {
      c.createStatement().execute(lift);
      c.createStatement().execute("SET statement_timeout = 0");
      Future<?> sleeping = thread.submit(() -> c.createStatement().execute("SELECT pg_sleep(60)"));
      Thread.sleep(1200);
      RunawayResult stopped = backend.stopRunawayWork(halfSecond(t), RunawayBounds.NONE);
      assertThat(stopped.statementsCancelled()).isGreaterThanOrEqualTo(1);
      assertThatThrownBy(() -> sleeping.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .hasMessageContaining("canceling statement");
    }
  }

  @Test
  void aTenantThePlatformDoesNotListIsHeldToTheFallbackBounds() throws Exception {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        ExecutorService thread = Executors.newSingleThreadExecutor()) {
      c.createStatement().execute("SET statement_timeout = 0");
      Future<?> sleeping = thread.submit(() -> c.createStatement().execute("SELECT pg_sleep(60)"));
      Thread.sleep(1200);
      backend.stopRunawayWork(
          Map.of(), new RunawayBounds(Duration.ofMillis(500), Duration.ofMillis(500)));
      assertThatThrownBy(() -> sleeping.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .hasMessageContaining("canceling statement");
    }
  }

  @Test
  void aTransactionIdlePastItsPlansBoundEndsItsSession() throws Exception {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect()) {
      c.createStatement().execute("SET idle_in_transaction_session_timeout = 0");
      c.setAutoCommit(false);
      c.createStatement().execute("SELECT 1");
      Thread.sleep(1200);
      assertThat(backend.stopRunawayWork(halfSecond(t), RunawayBounds.NONE).sessionsEnded())
          .isGreaterThanOrEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> !alive(c));
    }
  }

  @Test
  void workWithinItsBoundsIsLeftAlone() throws Exception {
    Tenant t = tenant(Tier.ANONYMOUS);
    try (Connection c = t.connect();
        ExecutorService thread = Executors.newSingleThreadExecutor()) {
      Future<?> sleeping = thread.submit(() -> c.createStatement().execute("SELECT pg_sleep(2)"));
      Thread.sleep(500);
      backend.stopRunawayWork(
          Map.of(t.naming(), new RunawayBounds(Duration.ofSeconds(30), Duration.ofSeconds(60))),
          RunawayBounds.NONE);
      sleeping.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static TenantUsage usageOf(Tenant t) {
    UsageReport report = backend.usage();
    assertThat(report.complete()).isTrue();
    return report.tenants().stream()
        .filter(u -> u.key().equals(t.naming()))
        .findFirst()
        .orElseThrow();
  }

  private static ProviderResourceId prid(Tenant t) {
    return t.made().providerResourceId();
  }

  private static String role(Tenant t) {
    return "usr_" + t.naming();
  }

  private static String quoted(String role) {
    return '"' + role + '"';
  }

  private static boolean alive(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean roleExists(String name) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + name + "'")) {
      return rs.next();
    }
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
