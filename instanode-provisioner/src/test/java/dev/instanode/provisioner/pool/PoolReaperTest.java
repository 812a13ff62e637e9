package dev.instanode.provisioner.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.RoleName;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.DropOnlyBackend;
import dev.instanode.provisioner.engine.ResourceBackend;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PoolReaperTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static ProvisionerDatabase db;
  private static PostgresUrl dbUrl;
  private static ClusterPlacement placement;
  private static PostgresBackend backend;
  private static PoolRepository items;
  private static SimpleMeterRegistry meters;
  private static DeprovisionChokepoint chokepoint;

  @BeforeAll
  static void setUp() {
    dbUrl = TestPostgres.newDatabase("reaper");
    db = ProvisionerDatabase.connect(dbUrl, 4);
    db.migrate();
    items = new PoolRepository(db.jdbi());
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    backend = new PostgresBackend(placement, Plans.bundled(), ProvisionStepHook.NONE);
    meters = new SimpleMeterRegistry();
    chokepoint =
        new DeprovisionChokepoint(
            new DropGuard(Set.of(dbUrl.database())),
            new DropAudit(db.jdbi()),
            new Breakers(meters, Clock.systemUTC()),
            meters);
  }

  @AfterAll
  static void tearDown() {
    db.close();
    placement.close();
  }

  @BeforeEach
  void empty() {
    db.jdbi().useHandle(h -> h.execute("DELETE FROM pool_items"));
  }

  @Test
  void reapsAFailedItemOnlyAfterItsGraceAndOnlyAfterTheDrop() throws SQLException {
    PoolToken old = makeItem();
    PoolToken young = makeItem();
    setStatus(old, "failed", "11 minutes");
    setStatus(young, "failed", "5 minutes");

    int reaped = reaper(backend).reapOnce();

    assertThat(reaped).isEqualTo(1);
    assertThat(databaseExists(old)).isFalse();
    assertThat(rowExists(old)).isFalse();
    assertThat(databaseExists(young)).isTrue();
    assertThat(rowExists(young)).isTrue();
  }

  @Test
  void aRefillThatDiedIsTornDownAfterItsGraceAndCannotBeMadeReadyLate() throws SQLException {
    PoolToken died = PoolToken.random();
    PoolToken inFlight = PoolToken.random();
    for (PoolToken token : List.of(died, inFlight)) {
      items.insertCreating(ResourceType.POSTGRES, token);
      backend.provision(token, Tier.ANONYMOUS, RequestId.random());
    }
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE pool_items SET created_at = now() - interval '11 minutes'"
                    + " WHERE pool_token = ?",
                died.value()));

    assertThat(reaper(backend).reapOnce()).isEqualTo(1);

    assertThat(databaseExists(died)).isFalse();
    assertThat(rowExists(died)).isFalse();
    assertThat(databaseExists(inFlight)).as("inside its grace").isTrue();
    assertThat(rowExists(inFlight)).isTrue();
    // The refill that made it, finishing now, finds nothing to mark ready: it drops its own.
    assertThat(
            items.markReady(
                died,
                ProviderResourceId.of("local:0"),
                AES.encrypt("postgres://u:p@h:1/db"),
                Optional.empty(),
                OptionalLong.of(2),
                Optional.empty()))
        .isFalse();
  }

  @Test
  void keepsTheRowWhenTheDropFails() throws SQLException {
    PoolToken token = makeItem();
    setStatus(token, "failed", "1 hour");
    SimpleMeterRegistry local = new SimpleMeterRegistry();
    PoolReaper reaper =
        new PoolReaper(
            items,
            Map.of(ResourceType.POSTGRES, new FailingDropBackend()),
            new DeprovisionChokepoint(
                new DropGuard(Set.of()),
                new DropAudit(db.jdbi()),
                new Breakers(local, Clock.systemUTC()),
                local),
            local,
            Clock.systemUTC());

    assertThat(reaper.reapOnce()).isZero();

    assertThat(rowExists(token))
        .as("the tracking row outlives its infrastructure, never the reverse")
        .isTrue();
    assertThat(
            local
                .get("instant_pool_reap_total")
                .tag("outcome", "deprovision_err")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void neverTouchesAssignedItemsButCountsTheStuckOnes() throws SQLException {
    PoolToken assigned = makeItem();
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE pool_items SET status = 'assigned', bound_token = gen_random_uuid(),"
                    + " assigned_at = now() - interval '2 hours' WHERE pool_token = ?",
                assigned.value()));
    SimpleMeterRegistry local = new SimpleMeterRegistry();
    PoolReaper reaper =
        new PoolReaper(
            items, Map.of(ResourceType.POSTGRES, backend), chokepoint, local, Clock.systemUTC());

    reaper.reapOnce();

    assertThat(databaseExists(assigned)).isTrue();
    assertThat(rowExists(assigned)).isTrue();
    assertThat(
            local
                .get("instant_pool_stuck_assigned")
                .tag("resource_type", "postgres")
                .gauge()
                .value())
        .isEqualTo(1.0);
  }

  private PoolReaper reaper(ResourceBackend b) {
    return new PoolReaper(
        items, Map.of(ResourceType.POSTGRES, b), chokepoint, meters, Clock.systemUTC());
  }

  private static PoolToken makeItem() {
    PoolToken token = PoolToken.random();
    ProvisionResult made = backend.provision(token, Tier.ANONYMOUS, RequestId.random());
    ReadyItems.insert(
        items,
        ResourceType.POSTGRES,
        token,
        made.providerResourceId(),
        AES.encrypt(made.connectionUrl()),
        Optional.empty(),
        OptionalLong.of(made.appliedConnLimit()),
        Optional.empty());
    return token;
  }

  private static void setStatus(PoolToken token, String status, String age) {
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE pool_items SET status = ?, assigned_at = now() - ?::interval WHERE pool_token = ?",
                status,
                age,
                token.value()));
  }

  private static boolean rowExists(PoolToken token) {
    return db.jdbi()
            .withHandle(h ->
                h.createQuery("SELECT count(*) FROM pool_items WHERE pool_token = :t")
                    .bind("t", token.value())
                    .mapTo(Integer.class)
                    .one())
        == 1;
  }

  private static boolean databaseExists(PoolToken token) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT 1 FROM pg_database WHERE datname = 'db_" + token + "'")) {
      return rs.next();
    }
  }

  /** A backend whose drops always fail, as a cluster that went away would. */
  private static final class FailingDropBackend extends DropOnlyBackend {
    final List<InfraKey> attempts = new ArrayList<>();

    @Override
    public List<InfraName> objectNames(InfraKey key) {
      return List.of(DatabaseName.of(key), RoleName.of(key));
    }

    @Override
    public void drop(InfraKey key, ProviderResourceId providerResourceId) {
      attempts.add(key);
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "cluster unreachable", null);
    }
  }
}
