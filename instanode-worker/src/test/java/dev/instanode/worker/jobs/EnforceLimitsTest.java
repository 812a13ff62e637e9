package dev.instanode.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.testing.FakeProvisioner;
import dev.instanode.worker.testing.Rows;
import dev.instanode.worker.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnforceLimitsTest {
  private static final long TEN_MB = 10L * 1024 * 1024;
  private static PlatformDatabase platform;
  private static Rows rows;
  private static AuditLog audit;
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    platform = TestDatabases.platform("limits");
    rows = new Rows(platform.jdbi());
    audit = new AuditLog(platform.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    platform.close();
  }

  @BeforeEach
  void clean() {
    rows.execute("DELETE FROM resources");
    rows.execute("DELETE FROM audit_log");
    meters = new SimpleMeterRegistry();
  }

  private JobReport run() {
    return new EnforceLimits(
            platform.jdbi(),
            Optional.of(provisioner),
            Plans.bundled(),
            audit,
            meters,
            Clock.systemUTC())
        .run(JobRun.start("enforce_limits"));
  }

  private void usage(ResourceType type, boolean complete, TenantUsage... tenants) {
    provisioner.answerUsage(type, new UsageReport(List.of(tenants), complete, false));
  }

  @Test
  void anAnonymousDatabaseOverTenMegabytesHasItsWritesStoppedAuditedCountedAndRecorded() {
    Rows.Inserted r = rows.resource().insert();
    usage(ResourceType.POSTGRES, true, new TenantUsage(r.token(), TEN_MB + 1, true, -1, 1, false));

    JobReport report = run();

    assertThat(report.count("writes_blocked")).isEqualTo(1);
    LimitsRequest sent = provisioner.limits().getFirst();
    assertThat(sent.token()).isEqualTo(r.token());
    assertThat(sent.writesBlocked()).isTrue();
    assertThat(sent.connectionCap()).isEqualTo(2);
    assertThat(storageBytes(r.id())).isEqualTo(TEN_MB + 1);
    assertThat(storageExceeded(r.id())).isTrue();
    assertThat(rows.auditCount("resource.writes_blocked")).isEqualTo(1);
    assertThat(transitions("postgres", "blocked")).isEqualTo(1.0);
    Awaitility.await()
        .until(() ->
            meters
                    .get("instant_resources_over_limit")
                    .tag("resource_type", "postgres")
                    .gauge()
                    .value()
                == 1.0);
  }

  @Test
  void backUnderItsLimitItsWritesComeBackButNotOnAPartialMeasurement() {
    Rows.Inserted r = rows.resource().type("redis").providerResourceId("redis:0").insert();
    rows.execute("UPDATE resources SET storage_exceeded = true WHERE id = ?", r.id().value());

    usage(ResourceType.REDIS, false, new TenantUsage(r.token(), 10, true, 1, 0, true));
    run();
    assertThat(provisioner.limits()).as("a lower bound proves nothing under").isEmpty();
    assertThat(storageExceeded(r.id())).isTrue();

    usage(ResourceType.REDIS, true, new TenantUsage(r.token(), 10, true, 1, 0, true));
    JobReport report = run();
    assertThat(report.count("writes_restored")).isEqualTo(1);
    assertThat(provisioner.limits().getFirst().writesBlocked()).isFalse();
    assertThat(storageExceeded(r.id())).isFalse();
    assertThat(rows.auditCount("resource.writes_restored")).isEqualTo(1);
  }

  @Test
  void aPooledResourceIsMeasuredByThePoolTokenItsInfrastructureCarries() {
    PoolToken poolToken = PoolToken.random();
    Rows.Inserted pooled =
        rows.resource()
            .providerResourceId(ProviderResourceId.of("local:0").pooled(poolToken).wire())
            .insert();
    // Its resource token also names something over the limit: that must not be its measurement.
    usage(
        ResourceType.POSTGRES,
        true,
        new TenantUsage(poolToken, 1000, true, -1, 0, false),
        new TenantUsage(pooled.token(), TEN_MB * 5, true, -1, 0, false));

    run();

    assertThat(provisioner.limits()).isEmpty();
    assertThat(storageBytes(pooled.id())).isEqualTo(1000);
  }

  @Test
  void aMeasurementThatFailedDecidesNothing() {
    Rows.Inserted r = rows.resource().insert();
    rows.execute("UPDATE resources SET storage_exceeded = true WHERE id = ?", r.id().value());
    provisioner.fail(
        FakeProvisioner.Op.USAGE,
        new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, "cluster down", null));

    JobReport report = run();

    assertThat(report.count("skipped_usage_error")).isEqualTo(2);
    assertThat(provisioner.limits()).isEmpty();
    assertThat(storageExceeded(r.id())).isTrue();
    assertThat(
            meters
                .get("instant_limit_pass_skipped_total")
                .tag("resource_type", "postgres")
                .tag("reason", "usage_error")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void connectionsOverTheCapAreClosedAndAudited() {
    Rows.Inserted r = rows.resource().type("redis").providerResourceId("redis:0").insert();
    usage(ResourceType.REDIS, true, new TenantUsage(r.token(), 10, true, 1, 14, false));
    provisioner.answerConnectionsClosed(4);

    JobReport report = run();

    LimitsRequest sent = provisioner.limits().getFirst();
    assertThat(sent.connectionCap()).isEqualTo(10);
    assertThat(sent.writesBlocked()).isFalse();
    assertThat(report.count("connections_closed")).isEqualTo(4);
    assertThat(rows.auditCount("resource.connections_closed")).isEqualTo(1);
  }

  @Test
  void underPressureACacheOverItsPlanIsAskedToShedItsExcessAndThatIsAudited() {
    Rows.Inserted over = rows.resource().type("redis").providerResourceId("redis:0").insert();
    Rows.Inserted within = rows.resource().type("redis").providerResourceId("redis:0").insert();
    long fiveMb = 5L * 1024 * 1024;
    provisioner.answerUsage(
        ResourceType.REDIS,
        new UsageReport(
            List.of(
                new TenantUsage(over.token(), fiveMb + 300_000, true, 9, 0, false),
                new TenantUsage(within.token(), 1_000, true, 1, 0, false)),
            true,
            true));
    provisioner.answerBytesFreed(300_000);

    JobReport report = run();

    assertThat(provisioner.limits())
        .singleElement()
        .satisfies(sent -> {
          assertThat(sent.token()).isEqualTo(over.token());
          assertThat(sent.shedDownTo()).hasValue(fiveMb);
          assertThat(sent.writesBlocked()).isTrue();
        });
    assertThat(report.count("bytes_shed")).isEqualTo(300_000);
    assertThat(rows.auditCount("resource.excess_shed")).isEqualTo(1);
  }

  @Test
  void anEstimateAloneNeverStopsWritesOrShedsAKeyAMeasurementDecides() {
    Rows.Inserted r = rows.resource().type("redis").providerResourceId("redis:0").insert();
    long fiveMb = 5L * 1024 * 1024;
    // The sample made it look like 40 MB; summed key by key it holds 1 MB.
    provisioner.answerStorageBytes(1024 * 1024);
    provisioner.answerUsage(
        ResourceType.REDIS,
        new UsageReport(
            List.of(new TenantUsage(r.token(), 8 * fiveMb, false, 9000, 0, false)), true, true));

    JobReport report = run();

    assertThat(provisioner.storageRequests()).singleElement();
    assertThat(provisioner.limits()).isEmpty();
    assertThat(report.count("measured_exactly")).isEqualTo(1);
    assertThat(storageBytes(r.id())).isEqualTo(1024 * 1024);
    assertThat(storageExceeded(r.id())).isFalse();
  }

  @Test
  void anEstimateConfirmedByAMeasurementShedsDownToThePlan() {
    Rows.Inserted r = rows.resource().type("redis").providerResourceId("redis:0").insert();
    long fiveMb = 5L * 1024 * 1024;
    provisioner.answerStorageBytes(fiveMb + 1000);
    provisioner.answerUsage(
        ResourceType.REDIS,
        new UsageReport(
            List.of(new TenantUsage(r.token(), 8 * fiveMb, false, 9000, 0, false)), true, true));

    run();

    assertThat(provisioner.limits().getFirst().shedDownTo()).hasValue(fiveMb);
  }

  @Test
  void everyLiveDatabaseIsHeldToItsOwnPlansBoundsEvenWhenMeasuringFails() {
    Rows.Inserted anonymous = rows.resource().insert();
    Rows.Inserted pro = rows.resource().tier("pro").insert();
    provisioner.fail(
        FakeProvisioner.Op.USAGE,
        new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, "cluster down", null));

    run();

    RunawayRequest sent =
        provisioner.calls().stream()
            .filter(c -> c instanceof RunawayRequest rr && rr.type() == ResourceType.POSTGRES)
            .map(RunawayRequest.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(sent.bounds().get(anonymous.token()).statement()).isEqualTo(Duration.ofSeconds(30));
    assertThat(sent.bounds().get(pro.token()).statement()).isEqualTo(Duration.ofMinutes(30));
    assertThat(sent.otherwise().statement())
        .as("the strictest plan")
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aResourceTheMeasurementMissedKeepsWhatItsRowSays() {
    Rows.Inserted r = rows.resource().insert();
    rows.execute("UPDATE resources SET storage_exceeded = true WHERE id = ?", r.id().value());
    usage(ResourceType.POSTGRES, false);

    run();

    assertThat(storageExceeded(r.id())).as("a cluster that did not answer proves nothing").isTrue();
  }

  @Test
  void aLiveRowWhoseInfrastructureAFullMeasurementDidNotFindIsReportedNotTouched() {
    rows.resource().insert();
    usage(ResourceType.POSTGRES, true);

    JobReport report = run();

    assertThat(report.count("missing_infrastructure")).isEqualTo(1);
    assertThat(provisioner.limits()).isEmpty();
  }

  @Test
  void runawayWorkIsStoppedOncePerMeasuredTypeEveryPass() {
    run();
    assertThat(
            provisioner.calls().stream()
                .filter(c -> c instanceof dev.instanode.provisioner.RunawayRequest)
                .map(c -> ((dev.instanode.provisioner.RunawayRequest) c).type())
                .toList())
        .containsExactlyInAnyOrder(
            Arrays.stream(ResourceType.values())
                .filter(t -> ResourceKinds.of(t).enforcement() == ResourceKind.Enforcement.MEASURED)
                .toArray(ResourceType[]::new));
    // A receiver's limits are held as each request lands: it is never measured.
    assertThat(provisioner.calls())
        .noneMatch(c -> c instanceof UsageRequest u && u.type() == ResourceType.WEBHOOK);
  }

  private static long storageBytes(ResourceId id) {
    return platform
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT storage_bytes FROM resources WHERE id = :id")
                .bind("id", id.value())
                .mapTo(Long.class)
                .one());
  }

  private static boolean storageExceeded(ResourceId id) {
    return platform
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT storage_exceeded FROM resources WHERE id = :id")
                .bind("id", id.value())
                .mapTo(Boolean.class)
                .one());
  }

  private double transitions(String type, String transition) {
    return meters
        .get("instant_limit_transitions_total")
        .tag("resource_type", type)
        .tag("transition", transition)
        .counter()
        .count();
  }
}
