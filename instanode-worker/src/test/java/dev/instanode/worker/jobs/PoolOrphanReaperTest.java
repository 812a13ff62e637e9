package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.TestPostgres;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.PoolBackedProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool lives in a database of its own here, as production may run it: no join can work. */
class PoolOrphanReaperTest {
  private static PlatformDatabase platform;
  private static ProvisionerDatabase pool;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    platform = TestDatabases.platform("orphan_platform");
    pool = TestDatabases.pool("orphan_pool");
    rows = new Rows(platform.jdbi());
    audit = new AuditLog(platform.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    pool.close();
    platform.close();
  }

  @BeforeEach
  void clean() {
    pool.jdbi().useHandle(h -> h.execute("DELETE FROM pool_items"));
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    meters = new SimpleMeterRegistry();
  }

  private PoolOrphanReaper reaper(boolean destructive) {
    return reaper(pool.jdbi(), platform.jdbi(), provisioner, destructive);
  }

  private PoolOrphanReaper reaper(
      Jdbi poolDb, Jdbi platformDb, Provisioner p, boolean destructive) {
    return new PoolOrphanReaper(
        platformDb,
        Optional.of(new PoolBackedProvisioner(poolDb, p)),
        destructive,
        audit,
        meters,
        Clock.systemUTC());
  }

  private static JobReport run(PoolOrphanReaper reaper) {
    return reaper.run(JobRun.start("pool_orphan_reaper"));
  }

  /** An assigned item; the resource token it is bound to is never its pool token. */
  private static PoolToken assigned(ResourceToken boundTo, Duration age) {
    PoolToken token = PoolToken.random();
    assigned(token, "local:0", boundTo, age);
    return token;
  }

  private static void assigned(PoolToken token, String prid, ResourceToken boundTo, Duration age) {
    pool.jdbi()
        .useHandle(h ->
            h.createUpdate(
                    "INSERT INTO pool_items (resource_type, pool_token, provider_resource_id,"
                        + " connection_url, status, assigned_at, bound_token) VALUES ('postgres',"
                        + " :token, :prid, 'sealed', 'assigned', :at, :bound)")
                .bind("token", token.value())
                .bind("prid", prid)
                .bind("at", Instant.now().minus(age).atOffset(ZoneOffset.UTC))
                .bind("bound", boundTo.value())
                .execute());
  }

  private static boolean tracked(PoolToken token) {
    return pool.jdbi()
            .withHandle(h ->
                h.createQuery("SELECT count(*) FROM pool_items WHERE pool_token = :t")
                    .bind("t", token.value())
                    .mapTo(Integer.class)
                    .one())
        == 1;
  }

  private static String naming(PoolToken token) {
    return "local:0;pooltok:" + token.value();
  }

  private double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void anOrphanIsOnlyCountedAndLoggedWhileTheDestructiveFlagIsOff() {
    PoolToken orphan = assigned(ResourceToken.random(), Duration.ofMinutes(45));

    JobReport report = run(reaper(false));

    assertThat(provisioner.calls()).isEmpty();
    assertThat(tracked(orphan)).isTrue();
    assertThat(report.count("orphan")).isEqualTo(1);
    assertThat(counter("instant_pool_orphan_candidates_total", "resource_type", "postgres"))
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("instant_pool_orphan_candidates_current")
                .tag("resource_type", "postgres")
                .gauge()
                .value())
        .isEqualTo(1.0);
  }

  @Test
  void withTheFlagOnAnOrphanIsDeprovisionedByItsPoolTokenThenForgotten() {
    ResourceToken bound = ResourceToken.random();
    PoolToken orphan = assigned(bound, Duration.ofMinutes(45));
    AtomicReference<Boolean> trackedDuringDrop = new AtomicReference<>();
    provisioner.onCall(req -> trackedDuringDrop.set(tracked(orphan)));

    run(reaper(true));

    assertThat(provisioner.deprovisions())
        .singleElement()
        .satisfies(d -> {
          assertThat(d.token()).isEqualTo(bound);
          assertThat(d.type()).isEqualTo(ResourceType.POSTGRES);
          assertThat(d.providerResourceId().namingKey(d.token()))
              .as("the drop targets the name the infrastructure carries")
              .isEqualTo(orphan);
          assertThat(d.reason()).isEqualTo("pool_orphan_reap");
        });
    assertThat(trackedDuringDrop.get()).as("the row outlives its infrastructure").isTrue();
    assertThat(tracked(orphan)).isFalse();
    assertThat(
            counter(
                "instant_pool_orphan_reaped_total",
                "resource_type",
                "postgres",
                "outcome",
                "reaped"))
        .isEqualTo(1.0);
    Integer teamless =
        platform
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT count(*) FROM audit_log WHERE kind = 'pool.orphan_reaped' AND team_id IS NULL")
                    .mapTo(Integer.class)
                    .one());
    assertThat(teamless).as("a cluster-scoped audit row").isEqualTo(1);
  }

  @Test
  void anOwnerThatReachedATerminalStatusLeavesAnOrphan() {
    PoolToken token = PoolToken.random();
    Rows.Inserted gone =
        rows.resource().status("expired").providerResourceId(naming(token)).insert();
    assigned(token, "local:0", gone.token(), Duration.ofHours(2));

    run(reaper(true));

    assertThat(provisioner.deprovisions()).hasSize(1);
    assertThat(tracked(token)).isFalse();
  }

  @Test
  void anItemBoundToALiveResourceIsReleasedAndItsInfrastructureKept() {
    PoolToken token = PoolToken.random();
    Rows.Inserted live = rows.resource().providerResourceId(naming(token)).insert();
    assigned(token, "local:0", live.token(), Duration.ofHours(3));

    JobReport report = run(reaper(true));

    assertThat(provisioner.calls()).as("never a drop for a live resource").isEmpty();
    assertThat(tracked(token)).isFalse();
    assertThat(report.count("release")).isEqualTo(1);
    assertThat(counter("instant_pool_released_total", "resource_type", "postgres")).isEqualTo(1.0);
    assertThat(rows.status(live.id())).isEqualTo("active");
  }

  @Test
  void neverTouchesAnItemBoundToALiveResourceThatDoesNotNameIt() {
    PoolToken token = PoolToken.random();
    Rows.Inserted live = rows.resource().providerResourceId("local:0").insert();
    assigned(token, "local:0", live.token(), Duration.ofHours(3));
    Rows.Inserted paused =
        rows.resource()
            .status("suspended")
            .providerResourceId("local:0;pooltok:pool-other")
            .insert();
    PoolToken second = assigned(paused.token(), Duration.ofHours(3));

    run(reaper(true));

    assertThat(provisioner.calls()).isEmpty();
    assertThat(tracked(token)).isTrue();
    assertThat(tracked(second)).isTrue();
  }

  @Test
  void anItemWhoseOwnerIsStillPendingIsKept() {
    Rows.Inserted pending = rows.resource().status("pending").providerResourceId(null).insert();
    PoolToken token = assigned(pending.token(), Duration.ofHours(1));

    run(reaper(true));

    assertThat(provisioner.calls()).isEmpty();
    assertThat(tracked(token)).isTrue();
  }

  @Test
  void anItemInsideItsGraceIsNotDecided() {
    PoolToken young = assigned(ResourceToken.random(), Duration.ofMinutes(10));

    assertThat(run(reaper(true)).isIdle()).isTrue();

    assertThat(provisioner.calls()).isEmpty();
    assertThat(tracked(young)).isTrue();
  }

  @Test
  void aFailedPlatformReadDecidesNothing() {
    PoolToken orphan = assigned(ResourceToken.random(), Duration.ofHours(1));
    PoolToken token = PoolToken.random();
    Rows.Inserted live = rows.resource().providerResourceId(naming(token)).insert();
    assigned(token, "local:0", live.token(), Duration.ofHours(1));

    JobReport report = run(reaper(pool.jdbi(), TestDatabases.unreachable(), provisioner, true));

    assertThat(provisioner.calls()).isEmpty();
    assertThat(tracked(orphan)).isTrue();
    assertThat(tracked(token)).isTrue();
    assertThat(report.count("skipped_platform_read_error")).isEqualTo(1);
    assertThat(counter("instant_pool_orphan_reaper_skipped_total", "reason", "platform_read_error"))
        .isEqualTo(1.0);
  }

  @Test
  void aFailedPoolReadDecidesNothing() {
    Rows.Inserted live = rows.resource().insert();

    JobReport report = run(reaper(TestDatabases.unreachable(), platform.jdbi(), provisioner, true));

    assertThat(provisioner.calls()).isEmpty();
    assertThat(rows.status(live.id())).isEqualTo("active");
    assertThat(report.count("skipped_pool_read_error")).isEqualTo(1);
  }

  @Test
  void aFailedDropKeepsTheRow() {
    PoolToken orphan = assigned(ResourceToken.random(), Duration.ofHours(1));
    provisioner.fail(FakeProvisioner.Op.DEPROVISION);

    run(reaper(true));

    assertThat(tracked(orphan)).isTrue();
    assertThat(
            counter(
                "instant_pool_orphan_reaped_total",
                "resource_type",
                "postgres",
                "outcome",
                "deprovision_err"))
        .isEqualTo(1.0);
  }

  @Test
  void throughTheRealChokepointItDropsTheOrphansDatabaseAndNotTheLiveOne() throws SQLException {
    ClusterPlacement placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    try (placement) {
      PostgresBackend backend =
          new PostgresBackend(placement, Plans.bundled(), ProvisionStepHook.NONE);
      SimpleMeterRegistry local = new SimpleMeterRegistry();
      Breakers breakers = new Breakers(local, Clock.systemUTC());
      LocalProvisioner real =
          new LocalProvisioner(
              List.of(backend),
              new DeprovisionChokepoint(
                  new DropGuard(Set.of()), new DropAudit(pool.jdbi()), breakers, local),
              breakers);
      PoolToken orphanToken = PoolToken.random();
      PoolToken liveToken = PoolToken.random();
      ProvisionResult orphanMade =
          backend.provision(orphanToken, Tier.ANONYMOUS, RequestId.random());
      ProvisionResult liveMade = backend.provision(liveToken, Tier.ANONYMOUS, RequestId.random());
      assigned(
          orphanToken,
          orphanMade.providerResourceId().wire(),
          ResourceToken.random(),
          Duration.ofHours(1));
      Rows.Inserted live =
          rows.resource()
              .providerResourceId(liveMade.providerResourceId().pooled(liveToken).wire())
              .insert();
      assigned(liveToken, liveMade.providerResourceId().wire(), live.token(), Duration.ofHours(1));
      assertThat(databaseExists(orphanToken)).isTrue();

      run(reaper(pool.jdbi(), platform.jdbi(), real, true));

      assertThat(databaseExists(orphanToken)).isFalse();
      assertThat(tracked(orphanToken)).isFalse();
      assertThat(databaseExists(liveToken)).isTrue();
      assertThat(tracked(liveToken)).as("released from tracking only").isFalse();

      real.deprovision(
          new DeprovisionRequest(
              live.token(),
              ResourceType.POSTGRES,
              liveMade.providerResourceId().pooled(liveToken),
              "test_cleanup",
              RequestId.random()));
    }
  }

  private static boolean databaseExists(PoolToken token) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT 1 FROM pg_database WHERE datname = 'db_" + token + "'")) {
      return rs.next();
    }
  }
}
