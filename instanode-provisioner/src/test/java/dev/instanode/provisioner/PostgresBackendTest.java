package dev.instanode.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestProvisioners;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresBackendTest {
  private static final AtomicReference<String> failAfterStep = new AtomicReference<>();
  private static ClusterPlacement placement;
  private static SimpleMeterRegistry meters;
  private static PostgresBackend backend;
  private static LocalProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    placement.hardenClusters();
    meters = new SimpleMeterRegistry();
    ProvisionStepHook hook =
        (step, token) -> {
          if (step.equals(failAfterStep.get())) {
            throw new IllegalStateException("injected failure after " + step);
          }
        };
    backend = new PostgresBackend(placement, Plans.bundled(), hook);
    provisioner = TestProvisioners.around(backend, Set.of("platform_db"), meters);
  }

  @AfterAll
  static void tearDown() {
    placement.close();
  }

  @Test
  void provisionedUrlConnectsAndCanCreateTables() throws SQLException {
    ProvisionResult result = provision(ResourceToken.random(), Tier.ANONYMOUS);
    assertThat(result.providerResourceId()).isEqualTo(ProviderResourceId.parse("local:0"));
    assertThat(result.appliedConnLimit()).isEqualTo(2);
    try (Connection c = connect(result.connectionUrl());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id int)");
      s.execute("INSERT INTO t VALUES (1)");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }

  @Test
  void aTenantCannotReachAnyOtherDatabase() throws SQLException {
    PostgresUrl a =
        PostgresUrl.parse(provision(ResourceToken.random(), Tier.ANONYMOUS).connectionUrl());
    PostgresUrl b =
        PostgresUrl.parse(provision(ResourceToken.random(), Tier.ANONYMOUS).connectionUrl());
    for (String other : List.of(b.database(), "postgres", "template1")) {
      assertThatThrownBy(() -> TestPostgres.connect(a.withDatabase(other)).close())
          .as("tenant A connecting to " + other)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("permission denied");
    }
    TestPostgres.connect(b).close();
  }

  @Test
  void aWrongPasswordIsRejected() {
    PostgresUrl a =
        PostgresUrl.parse(provision(ResourceToken.random(), Tier.ANONYMOUS).connectionUrl());
    PostgresUrl wrong =
        new PostgresUrl(a.host(), a.port(), a.database(), a.user(), "x" + a.password());
    assertThatThrownBy(() -> TestPostgres.connect(wrong).close())
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void connectionsBeyondThePlanLimitFail() throws SQLException {
    PostgresUrl url =
        PostgresUrl.parse(provision(ResourceToken.random(), Tier.ANONYMOUS).connectionUrl());
    List<Connection> open = new ArrayList<>();
    try {
      open.add(TestPostgres.connect(url));
      open.add(TestPostgres.connect(url));
      assertThatThrownBy(() -> open.add(TestPostgres.connect(url)))
          .hasMessageContaining("too many connections for role");
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  @Test
  void aFailureAfterCreateDatabaseLeavesNoDatabaseOrRole() throws SQLException {
    ResourceToken token = ResourceToken.random();
    failAfterStep.set("create_database");
    try {
      assertThatThrownBy(() -> provision(token, Tier.ANONYMOUS))
          .isInstanceOf(ProvisionerException.class);
    } finally {
      failAfterStep.set(null);
    }
    assertThat(databaseExists("db_" + token)).isFalse();
    assertThat(roleExists("usr_" + token)).isFalse();
    assertThat(meters.get("instant_provisioner_drop_total").tag("outcome", "ok").counter().count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void aRepeatedTokenFailsWithoutTouchingTheExistingResource() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult first = provision(token, Tier.ANONYMOUS);
    try (Connection c = connect(first.connectionUrl())) {
      c.createStatement().execute("CREATE TABLE precious (v text)");
    }

    assertThatThrownBy(() -> provision(token, Tier.ANONYMOUS))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.ALREADY_EXISTS);

    assertThat(databaseExists("db_" + token)).isTrue();
    try (Connection c = connect(first.connectionUrl())) {
      c.createStatement().execute("SELECT * FROM precious");
    }
  }

  @Test
  void deprovisionDropsEverythingAndIsIdempotent() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token, Tier.ANONYMOUS);
    Connection open = connect(result.connectionUrl());
    DeprovisionRequest drop =
        new DeprovisionRequest(
            token, ResourceType.POSTGRES, result.providerResourceId(), "test", RequestId.random());
    provisioner.deprovision(drop);
    assertThat(databaseExists("db_" + token)).isFalse();
    assertThat(roleExists("usr_" + token)).isFalse();
    assertThat(open.isValid(2)).as("open sessions are terminated").isFalse();
    provisioner.deprovision(drop);
  }

  @Test
  void regradeAppliesTheNewLimitAndSkipsWhenAlreadyCorrect() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token, Tier.ANONYMOUS);
    RegradeRequest toPro =
        new RegradeRequest(
            token,
            ResourceType.POSTGRES,
            Tier.PRO,
            result.providerResourceId(),
            RequestId.random());
    assertThat(provisioner.regrade(toPro)).isEqualTo(RegradeResult.applied(20));
    assertThat(provisioner.regrade(toPro))
        .isEqualTo(RegradeResult.skipped(20, RegradeResult.ALREADY_CORRECT));
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'usr_" + token + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(20);
    }
  }

  @Test
  void storageBytesMeasuresTheDatabase() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token, Tier.ANONYMOUS);
    long bytes =
        provisioner.storageBytes(
            new StorageRequest(
                token, ResourceType.POSTGRES, result.providerResourceId(), RequestId.random()));
    assertThat(bytes).isGreaterThan(1_000_000L);
  }

  @Test
  void rotationLocksOutTheOldPasswordAtOnceAndTheNewUrlConnects() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult before = provision(token, Tier.ANONYMOUS);

    RotateResult after = rotate(token, before.providerResourceId());

    PostgresUrl oldUrl = PostgresUrl.parse(before.connectionUrl());
    PostgresUrl newUrl = PostgresUrl.parse(after.connectionUrl());
    assertThat(newUrl.password()).isNotEqualTo(oldUrl.password()).hasSize(24);
    assertThat(newUrl)
        .isEqualTo(
            new PostgresUrl(
                oldUrl.host(), oldUrl.port(), oldUrl.database(), oldUrl.user(), newUrl.password()));
    assertThatThrownBy(() -> TestPostgres.connect(oldUrl).close())
        .hasMessageContaining("password authentication failed");
    try (Connection c = TestPostgres.connect(newUrl);
        ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("usr_" + token);
    }
  }

  @Test
  void rotationClosesSessionsOpenedWithTheOldPasswordAndNoOtherTenants() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult before = provision(token, Tier.ANONYMOUS);
    ProvisionResult bystander = provision(ResourceToken.random(), Tier.ANONYMOUS);
    try (Connection stale = connect(before.connectionUrl());
        Connection other = connect(bystander.connectionUrl())) {
      assertThat(stale.isValid(2)).isTrue();

      rotate(token, before.providerResourceId());

      assertThat(stale.isValid(2)).as("session opened with the old password").isFalse();
      assertThat(other.isValid(2)).as("another tenant's session").isTrue();
    }
  }

  @Test
  void rotatingAPooledResourceChangesThePoolTokensRoleNotTheResourceTokens() throws SQLException {
    PoolToken poolToken = new PoolToken("pool-" + ResourceToken.random());
    ProvisionResult pooled = backend.provision(poolToken, Tier.ANONYMOUS, RequestId.random());
    ProviderResourceId prid = pooled.providerResourceId().pooled(poolToken);
    assertThat(prid.wire()).isEqualTo("local:0;pooltok:" + poolToken);
    ResourceToken claimedAs = ResourceToken.random();

    RotateResult after = rotate(claimedAs, prid);

    PostgresUrl newUrl = PostgresUrl.parse(after.connectionUrl());
    assertThat(newUrl.user()).isEqualTo("usr_" + poolToken);
    assertThat(newUrl.database()).isEqualTo("db_" + poolToken);
    assertThatThrownBy(() -> connect(pooled.connectionUrl()).close())
        .hasMessageContaining("password authentication failed");
    TestPostgres.connect(newUrl).close();
    assertThat(roleExists("usr_" + claimedAs)).isFalse();
  }

  @Test
  void rotatingAMissingRoleIsInvalidArgumentAndCreatesNothing() throws SQLException {
    ResourceToken token = ResourceToken.random();
    assertThatThrownBy(() -> rotate(token, ProviderResourceId.of("local:0")))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).isEqualTo("role does not exist");
            });
    assertThat(roleExists("usr_" + token)).isFalse();
  }

  /** Such an id is refused where it is read, so no backend call can be aimed with it. */
  @Test
  void aPoolTokenThatIsNoSafeNameCannotBeRead() {
    assertThatThrownBy(() -> ProviderResourceId.parse("local:0;pooltok:x\"; DROP ROLE y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProviderResourceId.parse("local:0;pooltok:pool-x\"; DROP ROLE y"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRotateResultNeverPrintsItsUrl() {
    RotateResult result = new RotateResult("postgres://usr_x:s3cret@h:5432/db_x");
    assertThat(result.toString()).doesNotContain("s3cret").doesNotContain("usr_x");
  }

  private static RotateResult rotate(ResourceToken token, ProviderResourceId providerResourceId) {
    return provisioner.rotateCredentials(
        new RotateRequest(token, ResourceType.POSTGRES, providerResourceId, RequestId.random()));
  }

  @Test
  void theInventoryFindsEveryTenantByItsKeyWithTheAgeWrittenOnIt() throws SQLException {
    Instant before = Instant.now().minusSeconds(1);
    ResourceToken made = ResourceToken.random();
    provision(made, Tier.ANONYMOUS);
    Instant after = Instant.now().plusSeconds(1);
    ResourceToken unstamped = ResourceToken.random();
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        Statement s = c.createStatement()) {
      // As a crash between CREATE and COMMENT, or a release before stamps, would leave it.
      s.execute("CREATE DATABASE \"db_" + unstamped + "\"");
      s.execute("CREATE DATABASE \"db_not-a-key\"");
    }

    List<InventoryItem> items = backend.inventory();

    assertThat(items)
        .filteredOn(i -> i.key().equals(made))
        .singleElement()
        .satisfies(i -> {
          assertThat(i.objects()).as("its database and its role").isEqualTo(2);
          assertThat(i.createdAt())
              .hasValueSatisfying(at -> assertThat(at).isBetween(before, after));
        });
    assertThat(items)
        .filteredOn(i -> i.key().equals(unstamped))
        .singleElement()
        .satisfies(i -> assertThat(i.createdAt()).as("an unknown age, never an old one").isEmpty());
    assertThat(items).extracting(i -> i.key().text()).doesNotContain("not-a-key");

    backend.drop(made, ProviderResourceId.parse("local:0"));
    backend.drop(unstamped, ProviderResourceId.parse("local:0"));
    assertThat(backend.inventory()).extracting(InventoryItem::key).doesNotContain(made, unstamped);
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE \"db_not-a-key\"");
    }
  }

  private static ProvisionResult provision(ResourceToken token, Tier tier) {
    return provisioner.provision(
        new ProvisionRequest(token, ResourceType.POSTGRES, tier, RequestId.random()));
  }

  private static Connection connect(String url) throws SQLException {
    return TestPostgres.connect(PostgresUrl.parse(url));
  }

  private static boolean databaseExists(String name) throws SQLException {
    return exists("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
  }

  private static boolean roleExists(String name) throws SQLException {
    return exists("SELECT 1 FROM pg_roles WHERE rolname = '" + name + "'");
  }

  private static boolean exists(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next();
    }
  }
}
