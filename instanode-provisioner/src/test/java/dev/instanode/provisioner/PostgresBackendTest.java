package dev.instanode.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
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
  private static LocalProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    placement.hardenClusters();
    meters = new SimpleMeterRegistry();
    Breakers breakers = new Breakers(meters, Clock.systemUTC());
    ProvisionStepHook hook =
        (step, token) -> {
          if (step.equals(failAfterStep.get())) {
            throw new IllegalStateException("injected failure after " + step);
          }
        };
    PostgresBackend backend = new PostgresBackend(placement, Plans.bundled(), hook);
    provisioner =
        new LocalProvisioner(
            List.of(backend),
            new DeprovisionChokepoint(new DropGuard(Set.of("platform_db")), breakers, meters),
            breakers);
  }

  @AfterAll
  static void tearDown() {
    placement.close();
  }

  @Test
  void provisionedUrlConnectsAndCanCreateTables() throws SQLException {
    ProvisionResult result = provision(ResourceToken.random(), Tier.ANONYMOUS);
    assertThat(result.providerResourceId()).isEqualTo("local:0");
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
