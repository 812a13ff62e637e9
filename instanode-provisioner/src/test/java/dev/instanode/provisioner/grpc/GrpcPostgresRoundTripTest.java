package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestDropAudit;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production pairing: the real LocalProvisioner and PostgresBackend behind the gRPC server,
 * called through the gRPC client, against the embedded Postgres.
 */
class GrpcPostgresRoundTripTest {
  private static ClusterPlacement placement;
  private static GrpcFixture grpc;

  @BeforeAll
  static void setUp() {
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    placement.hardenClusters();
    grpc = GrpcFixture.serving(localProvisioner(ProvisionStepHook.NONE));
  }

  private static LocalProvisioner localProvisioner(ProvisionStepHook hook) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Breakers breakers = new Breakers(meters, Clock.systemUTC());
    return new LocalProvisioner(
        List.of(new PostgresBackend(placement, Plans.bundled(), hook)),
        new DeprovisionChokepoint(
            new DropGuard(Set.of("platform_db")), TestDropAudit.shared(), breakers, meters),
        breakers);
  }

  @AfterAll
  static void tearDown() throws Exception {
    grpc.close();
    placement.close();
  }

  @Test
  void provisionReturnsAUrlThatConnectsOverJdbc() throws SQLException {
    ProvisionResult result = provision(ResourceToken.random());
    assertThat(result.providerResourceId()).isEqualTo(ProviderResourceId.parse("local:0"));
    assertThat(result.appliedConnLimit()).isEqualTo(2);
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(result.connectionUrl()));
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
  void regradeAppliesAndThenSaysAlreadyCorrect() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    RegradeRequest toPro =
        new RegradeRequest(
            token,
            ResourceType.POSTGRES,
            Tier.PRO,
            result.providerResourceId(),
            RequestId.random());
    assertThat(grpc.client.regrade(toPro)).isEqualTo(RegradeResult.applied(20));
    assertThat(grpc.client.regrade(toPro))
        .isEqualTo(RegradeResult.skipped(20, RegradeResult.ALREADY_CORRECT));
    assertThat(
            adminQueryLong("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'usr_" + token + "'"))
        .isEqualTo(20L);
  }

  @Test
  void storageBytesMeasuresTheRealDatabase() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    long bytes =
        grpc.client.storageBytes(
            new StorageRequest(
                token, ResourceType.POSTGRES, result.providerResourceId(), RequestId.random()));
    assertThat(bytes).isGreaterThan(1_000_000L);
  }

  @Test
  void deprovisionDropsTheDatabaseAndIsIdempotent() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    assertThat(databaseExists("db_" + token)).isTrue();
    DeprovisionRequest drop =
        new DeprovisionRequest(
            token,
            ResourceType.POSTGRES,
            result.providerResourceId(),
            "user_delete",
            RequestId.random());
    grpc.client.deprovision(drop);
    assertThat(databaseExists("db_" + token)).isFalse();
    assertThat(adminQueryLong("SELECT count(*) FROM pg_roles WHERE rolname = 'usr_" + token + "'"))
        .isZero();
    grpc.client.deprovision(drop);
  }

  @Test
  void rotateReturnsAWorkingUrlAndTheOldPasswordStopsWorking() throws SQLException {
    ResourceToken token = ResourceToken.random();
    ProvisionResult before = provision(token);
    Connection stale = TestPostgres.connect(PostgresUrl.parse(before.connectionUrl()));

    RotateResult after =
        grpc.client.rotateCredentials(
            new RotateRequest(
                token, ResourceType.POSTGRES, before.providerResourceId(), RequestId.random()));

    assertThat(stale.isValid(2)).as("session opened with the old password").isFalse();
    stale.close();
    assertThatThrownBy(
            () -> TestPostgres.connect(PostgresUrl.parse(before.connectionUrl())).close())
        .hasMessageContaining("password authentication failed");
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(after.connectionUrl()));
        ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("usr_" + token);
    }
  }

  @Test
  void rotatingAMissingRoleIsInvalidAcrossTheWire() {
    assertThatThrownBy(() ->
            grpc.client.rotateCredentials(
                new RotateRequest(
                    ResourceToken.random(),
                    ResourceType.POSTGRES,
                    ProviderResourceId.parse("local:0"),
                    RequestId.random())))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
              assertThat(e.getMessage())
                  .contains("RotateCredentials")
                  .contains("role does not exist");
            });
  }

  @Test
  void aTypeWithoutABackendIsInvalidAcrossTheWire() {
    assertThatThrownBy(() ->
            grpc.client.provision(
                new ProvisionRequest(
                    ResourceToken.random(),
                    ResourceType.REDIS,
                    Tier.ANONYMOUS,
                    RequestId.random())))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
  }

  @Test
  void aBackendBreakerThatOpensArrivesAsCircuitOpen() throws Exception {
    ProvisionStepHook failing =
        (step, token) -> {
          if (!step.startsWith(ProvisionStepHook.TEARDOWN_PREFIX)) {
            throw new IllegalStateException("injected failure after " + step);
          }
        };
    try (GrpcFixture broken = GrpcFixture.serving(localProvisioner(failing))) {
      for (int i = 0; i < Breakers.THRESHOLD; i++) {
        assertThatThrownBy(() -> provision(broken, ResourceToken.random()))
            .isInstanceOfSatisfying(
                ProvisionerException.class,
                e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INTERNAL));
      }
      assertThatThrownBy(() -> provision(broken, ResourceToken.random()))
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.CIRCUIT_OPEN);
                assertThat(e.getMessage()).contains("circuit open");
              });
    }
  }

  private static ProvisionResult provision(ResourceToken token) {
    return provision(grpc, token);
  }

  private static ProvisionResult provision(GrpcFixture through, ResourceToken token) {
    return through.client.provision(
        new ProvisionRequest(token, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random()));
  }

  private static boolean databaseExists(String name) throws SQLException {
    return adminQueryLong("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") > 0;
  }

  private static long adminQueryLong(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
