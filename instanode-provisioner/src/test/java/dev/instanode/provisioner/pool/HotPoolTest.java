package dev.instanode.provisioner.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.DropOnlyBackend;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.ResourceBackend;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HotPoolTest {
  private static final AesGcm AES = AesGcm.fromHexKey(AesGcm.generateHexKey());
  private static ProvisionerDatabase db;
  private static PostgresUrl dbUrl;
  private static ClusterPlacement placement;
  private static PostgresBackend backend;
  private static PoolRepository items;
  private static SimpleMeterRegistry meters;
  private static Breakers breakers;
  private static DeprovisionChokepoint chokepoint;

  @BeforeAll
  static void setUp() {
    dbUrl = TestPostgres.newDatabase("pool");
    db = ProvisionerDatabase.connect(dbUrl, 8);
    db.migrate();
    items = new PoolRepository(db.jdbi());
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    backend = new PostgresBackend(placement, Plans.bundled(), ProvisionStepHook.NONE);
    meters = new SimpleMeterRegistry();
    breakers = new Breakers(meters, Clock.systemUTC());
    chokepoint =
        new DeprovisionChokepoint(
            new DropGuard(Set.of(dbUrl.database())), new DropAudit(db.jdbi()), breakers, meters);
  }

  @AfterAll
  static void tearDown() {
    db.close();
    placement.close();
  }

  @BeforeEach
  void emptyThePool() {
    db.jdbi().useHandle(h -> h.execute("DELETE FROM pool_items"));
  }

  private static HotPool pool(int target) {
    return pool(backend, target);
  }

  private static HotPool pool(ResourceBackend backend, int target) {
    return new HotPool(
        Map.of(ResourceType.POSTGRES, backend),
        Map.of(ResourceType.POSTGRES, target),
        items,
        AES,
        breakers,
        chokepoint,
        meters,
        2,
        ProvisionStepHook.NONE);
  }

  @Test
  void refillMakesTheTargetNumberOfItemsNamedAfterPoolTokens() throws SQLException {
    try (HotPool pool = pool(3)) {
      pool.refill(ResourceType.POSTGRES);
    }
    assertThat(items.countReady(ResourceType.POSTGRES)).isEqualTo(3);
    for (String token : column("SELECT pool_token FROM pool_items")) {
      assertThat(token).startsWith("pool-");
      assertThat(adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + token + "'"))
          .isTrue();
    }
  }

  @Test
  void aClaimBindsTheItemAndTheUrlWorksAtTheCallersTier() throws SQLException {
    ResourceToken resource = ResourceToken.random();
    ProvisionResult result;
    try (HotPool pool = pool(1)) {
      pool.refill(ResourceType.POSTGRES);
      result =
          pool.claim(ResourceType.POSTGRES, resource, Tier.HOBBY, RequestId.random()).orElseThrow();
    }
    String poolToken =
        column(
                "SELECT pool_token FROM pool_items WHERE bound_token = '"
                    + resource
                    + "' AND status = 'assigned'")
            .getFirst();
    assertThat(poolToken).isNotEqualTo(resource.toString());
    assertThat(result.providerResourceId().wire()).isEqualTo("local:0;pooltok:" + poolToken);
    assertThat(result.appliedConnLimit()).isEqualTo(8);
    PostgresUrl url = PostgresUrl.parse(result.connectionUrl());
    assertThat(url.database()).isEqualTo("db_" + poolToken);
    try (Connection c = TestPostgres.connect(url)) {
      c.createStatement().execute("CREATE TABLE t (id int)");
    }
    assertThat(
            column(
                "SELECT rolconnlimit::text FROM pg_roles WHERE rolname = 'usr_" + poolToken + "'",
                true))
        .containsExactly("8");
  }

  @Test
  void aClaimAtTheCapTheItemWasMadeWithSkipsTheClusterAndAnyOtherCapIsApplied()
      throws SQLException {
    CountingRegrades counting = new CountingRegrades(backend);
    try (HotPool pool = pool(counting, 2)) {
      pool.refill(ResourceType.POSTGRES);
      ProvisionResult anonymous =
          pool.claim(
                  ResourceType.POSTGRES, ResourceToken.random(), Tier.ANONYMOUS, RequestId.random())
              .orElseThrow();
      assertThat(anonymous.appliedConnLimit()).isEqualTo(2);
      assertThat(counting.regrades).as("no round trip for a cap already in force").hasValue(0);

      ProvisionResult hobby =
          pool.claim(ResourceType.POSTGRES, ResourceToken.random(), Tier.HOBBY, RequestId.random())
              .orElseThrow();
      assertThat(counting.regrades).hasValue(1);
      PoolToken poolToken = hobby.providerResourceId().pool().orElseThrow();
      assertThat(
              column(
                  "SELECT rolconnlimit::text FROM pg_roles WHERE rolname = 'usr_" + poolToken + "'",
                  true))
          .containsExactly("8");
    }
  }

  @Test
  void anItemWhoseRecordedGradeIsNotTheTiersIsRegradedOnTheCluster() {
    // Made at the anonymous cap (2) but recorded with another, as after a plans.yaml change.
    PoolToken token = PoolToken.random();
    ProvisionResult made = backend.provision(token, Tier.ANONYMOUS, RequestId.random());
    ReadyItems.insert(
        items,
        ResourceType.POSTGRES,
        token,
        made.providerResourceId(),
        AES.encrypt(made.connectionUrl()),
        Optional.empty(),
        OptionalLong.of(99),
        Optional.of("made under another plans.yaml"));
    CountingRegrades counting = new CountingRegrades(backend);
    try (HotPool pool = pool(counting, 1)) {
      ProvisionResult claimed =
          pool.claim(
                  ResourceType.POSTGRES, ResourceToken.random(), Tier.ANONYMOUS, RequestId.random())
              .orElseThrow();
      assertThat(counting.regrades).hasValue(1);
      assertThat(claimed.appliedConnLimit()).isEqualTo(2);
    }
  }

  /** The real backend, counting the regrades that reach the customer cluster. */
  private static final class CountingRegrades implements ResourceBackend {
    private final ResourceBackend real;
    final AtomicInteger regrades = new AtomicInteger();

    CountingRegrades(ResourceBackend real) {
      this.real = real;
    }

    @Override
    public ResourceType type() {
      return real.type();
    }

    @Override
    public String backendLabel() {
      return real.backendLabel();
    }

    @Override
    public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
      return real.provision(key, tier, requestId);
    }

    @Override
    public List<InfraName> objectNames(InfraKey key) {
      return real.objectNames(key);
    }

    @Override
    public void drop(InfraKey key, ProviderResourceId providerResourceId) {
      real.drop(key, providerResourceId);
    }

    @Override
    public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
      regrades.incrementAndGet();
      return real.regrade(key, providerResourceId, tier);
    }

    @Override
    public OptionalLong connectionLimit(Tier tier) {
      return real.connectionLimit(tier);
    }

    @Override
    public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
      return real.storageBytes(key, providerResourceId);
    }

    @Override
    public Optional<String> grade(Tier tier) {
      return real.grade(tier);
    }

    @Override
    public UsageReport usage() {
      return real.usage();
    }

    @Override
    public List<InventoryItem> inventory() {
      return real.inventory();
    }

    @Override
    public boolean setWritesBlocked(
        InfraKey key, ProviderResourceId providerResourceId, boolean b) {
      return real.setWritesBlocked(key, providerResourceId, b);
    }

    @Override
    public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
      return real.closeConnectionsOver(key, providerResourceId, cap);
    }

    @Override
    public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
      return real.shedDownTo(key, providerResourceId, keepBytes);
    }

    @Override
    public RunawayResult stopRunawayWork(
        Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
      return real.stopRunawayWork(bounds, otherwise);
    }

    @Override
    public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
      return real.rotateCredentials(key, providerResourceId);
    }
  }

  @Test
  void theInventoryMarksWhatThePoolTracksAndAnOrphanReapNeverDropsIt() throws SQLException {
    try (HotPool pool = pool(1)) {
      pool.refill(ResourceType.POSTGRES);
      LocalProvisioner provisioner =
          new LocalProvisioner(List.of(backend), chokepoint, breakers, Optional.of(pool));
      PoolToken tracked = new PoolToken(column("SELECT pool_token FROM pool_items").getFirst());
      // A pool item whose row was lost: nothing tracks it any more.
      PoolToken untracked = PoolToken.random();
      backend.provision(untracked, Tier.ANONYMOUS, RequestId.random());
      assertThat(
              provisioner
                  .inventory(new InventoryRequest(ResourceType.POSTGRES, RequestId.random()))
                  .items())
          .filteredOn(i -> i.key().equals(tracked) || i.key().equals(untracked))
          .extracting(i -> i.key().equals(tracked), InventoryItem::pooled)
          .containsExactlyInAnyOrder(tuple(true, true), tuple(false, false));

      assertThat(
              provisioner.reapOrphan(
                  new OrphanReapRequest(
                      tracked, ResourceType.POSTGRES, "inventory_no_row", RequestId.random())))
          .as("the pool's own item is never an orphan")
          .isFalse();
      assertThat(adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + tracked + "'"))
          .isTrue();
      assertThat(
              provisioner.reapOrphan(
                  new OrphanReapRequest(
                      untracked, ResourceType.POSTGRES, "inventory_no_row", RequestId.random())))
          .isTrue();
      assertThat(adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + untracked + "'"))
          .isFalse();
      assertThat(adminExists("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + untracked + "'"))
          .isFalse();
    }
  }

  @Test
  void everyLaterCallOnAPooledResourceTargetsThePoolToken() throws SQLException {
    ResourceToken resource = ResourceToken.random();
    try (HotPool pool = pool(1)) {
      pool.refill(ResourceType.POSTGRES);
      LocalProvisioner provisioner =
          new LocalProvisioner(List.of(backend), chokepoint, breakers, Optional.of(pool));
      ProvisionResult made =
          provisioner
              .claimPooled(
                  new ProvisionRequest(
                      resource, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random()))
              .orElseThrow();
      PoolToken poolToken = made.providerResourceId().pool().orElseThrow();
      assertThat(
              provisioner.regrade(
                  new RegradeRequest(
                      resource,
                      ResourceType.POSTGRES,
                      Tier.PRO,
                      made.providerResourceId(),
                      RequestId.random())))
          .isEqualTo(RegradeResult.applied(20));
      provisioner.deprovision(
          new DeprovisionRequest(
              resource,
              ResourceType.POSTGRES,
              made.providerResourceId(),
              "test",
              RequestId.random()));
      assertThat(adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + poolToken + "'"))
          .isFalse();
      assertThat(adminExists("SELECT 1 FROM pg_roles WHERE rolname = 'usr_" + poolToken + "'"))
          .isFalse();
    }
  }

  @Test
  void theOrphanPassListsReleasesAndReapsAssignedItemsThroughTheProvisioner() throws SQLException {
    ResourceToken kept = ResourceToken.random();
    ResourceToken orphaned = ResourceToken.random();
    try (HotPool pool = pool(2)) {
      pool.refill(ResourceType.POSTGRES);
      LocalProvisioner provisioner =
          new LocalProvisioner(List.of(backend), chokepoint, breakers, Optional.of(pool));
      for (ResourceToken resource : List.of(kept, orphaned)) {
        provisioner.claimPooled(
            new ProvisionRequest(
                resource, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random()));
      }
      List<AssignedPoolItem> assigned =
          provisioner.assignedPoolItems(Instant.now().plusSeconds(60), 10);
      assertThat(assigned).extracting(AssignedPoolItem::boundToken).contains(kept, orphaned);
      AssignedPoolItem keptItem =
          assigned.stream().filter(i -> i.boundToken().equals(kept)).findFirst().orElseThrow();
      AssignedPoolItem orphanItem =
          assigned.stream().filter(i -> i.boundToken().equals(orphaned)).findFirst().orElseThrow();
      assertThat(orphanItem.providerResourceId().pool()).contains(orphanItem.poolToken());

      assertThat(provisioner.releasePoolItem(keptItem)).isTrue();
      assertThat(provisioner.reapPoolItem(orphanItem, "test_reap", RequestId.random())).isTrue();
      assertThat(provisioner.reapPoolItem(orphanItem, "test_reap", RequestId.random()))
          .as("an item already reaped is gone, not reaped twice")
          .isFalse();

      assertThat(provisioner.assignedPoolItems(Instant.now().plusSeconds(60), 10)).isEmpty();
      assertThat(databaseExists(keptItem.poolToken())).as("released: infra kept").isTrue();
      assertThat(databaseExists(orphanItem.poolToken())).as("reaped: infra dropped").isFalse();
      provisioner.deprovision(
          new DeprovisionRequest(
              kept,
              ResourceType.POSTGRES,
              keptItem.providerResourceId(),
              "test_cleanup",
              RequestId.random()));
    }
  }

  @Test
  void aReapWhoseDropFailsKeepsTheItemTracked() {
    ResourceToken orphaned = ResourceToken.random();
    ResourceBackend brokenDrop =
        new DropOnlyBackend() {
          @Override
          public List<InfraName> objectNames(InfraKey key) {
            return List.of(DatabaseName.of(key));
          }

          @Override
          public void drop(InfraKey key, ProviderResourceId providerResourceId) {
            throw new IllegalStateException("cluster unreachable");
          }
        };
    try (HotPool pool = pool(1)) {
      pool.refill(ResourceType.POSTGRES);
      LocalProvisioner provisioner =
          new LocalProvisioner(List.of(backend), chokepoint, breakers, Optional.of(pool));
      provisioner.claimPooled(
          new ProvisionRequest(
              orphaned, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random()));
      AssignedPoolItem item =
          provisioner.assignedPoolItems(Instant.now().plusSeconds(60), 10).getFirst();
      HotPool failing =
          new HotPool(
              Map.of(ResourceType.POSTGRES, brokenDrop),
              Map.of(ResourceType.POSTGRES, 0),
              items,
              AES,
              breakers,
              chokepoint,
              meters,
              1,
              ProvisionStepHook.NONE);
      try (failing) {
        assertThatThrownBy(() -> failing.reap(item, "test_reap", RequestId.random()))
            .isInstanceOf(ProvisionerException.class);
      }
      assertThat(provisioner.assignedPoolItems(Instant.now().plusSeconds(60), 10))
          .as("the row outlives a failed drop")
          .containsExactly(item);
      assertThat(provisioner.reapPoolItem(item, "test_cleanup", RequestId.random())).isTrue();
    }
  }

  @Test
  void twoConcurrentClaimersNeverGetTheSameItem() throws Exception {
    try (HotPool pool = pool(5)) {
      pool.refill(ResourceType.POSTGRES);
    }
    List<Callable<Optional<PoolItem>>> claimers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      claimers.add(() -> items.claim(ResourceType.POSTGRES, ResourceToken.random()));
    }
    List<PoolItem> won = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
      for (Future<Optional<PoolItem>> f : threads.invokeAll(claimers)) {
        f.get().ifPresent(won::add);
      }
    }
    assertThat(won).hasSize(5);
    Set<String> distinct = new HashSet<>();
    won.forEach(i -> distinct.add(i.poolToken().value()));
    assertThat(distinct).hasSize(5);
    assertThat(
            column(
                "SELECT count(DISTINCT bound_token)::text FROM pool_items WHERE status = 'assigned'"))
        .containsExactly("5");
  }

  @Test
  void anItemThatCannotBeRegradedIsDiscardedNeverHandedOut() throws SQLException {
    // A ready row whose role does not exist: regrade fails, so it must never be handed out.
    ReadyItems.insert(
        items,
        ResourceType.POSTGRES,
        PoolToken.random(),
        ProviderResourceId.parse("local:0"),
        AES.encrypt("postgres://u:p@h:1/db"),
        Optional.empty(),
        OptionalLong.empty(),
        Optional.empty());
    ResourceToken resource = ResourceToken.random();
    try (HotPool pool = pool(1)) {
      LocalProvisioner provisioner =
          new LocalProvisioner(List.of(backend), chokepoint, breakers, Optional.of(pool));
      ProvisionRequest request =
          new ProvisionRequest(resource, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random());
      assertThat(provisioner.claimPooled(request)).isEmpty();
      // The live path never touches the pool.
      ProvisionResult made = provisioner.provision(request);
      assertThat(made.providerResourceId()).isEqualTo(ProviderResourceId.parse("local:0"));
      assertThat(PostgresUrl.parse(made.connectionUrl()).database()).isEqualTo("db_" + resource);
      TestPostgres.connect(PostgresUrl.parse(made.connectionUrl())).close();
    }
    assertThat(
            column(
                "SELECT status FROM pool_items WHERE connection_url IS NOT NULL AND bound_token = '"
                    + resource
                    + "'"))
        .containsExactly("failed");
  }

  @Test
  void refillsAfterAClaim() {
    try (HotPool pool = pool(2)) {
      pool.refill(ResourceType.POSTGRES);
      pool.claim(ResourceType.POSTGRES, ResourceToken.random(), Tier.ANONYMOUS, RequestId.random())
          .orElseThrow();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> items.countReady(ResourceType.POSTGRES) == 2);
    }
  }

  static List<String> column(String sql) throws SQLException {
    return column(sql, false);
  }

  static List<String> column(String sql, boolean onAdmin) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = TestPostgres.connect(onAdmin ? TestPostgres.adminUrl() : dbUrl);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    onAdmin ? sql : sql.replace("pool_items", "provisioner.pool_items"))) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static boolean databaseExists(PoolToken token) throws SQLException {
    return adminExists("SELECT 1 FROM pg_database WHERE datname = 'db_" + token.value() + "'");
  }

  static boolean adminExists(String sql) throws SQLException {
    return !column(sql, true).isEmpty();
  }
}
