package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.provision.ProvisionCommand;
import dev.instanode.api.provision.ProvisionedResource;
import dev.instanode.api.provision.ResourceProvisioning;
import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.BindingResult;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.LimitsResult;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.store.ResourceRepository;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pool claim that errors (the provisioner unreachable mid-call) may still have bound an item to
 * the token it was given, so the live provision that follows must use another token: two pieces of
 * infrastructure under one resource token would leave the pooled one owned by nobody yet never
 * found as an orphan.
 */
class PoolClaimFailureTest {
  private static PlatformDatabase db;
  private static ClusterPlacement placement;
  private static AuditLog audit;

  @BeforeAll
  static void setUp() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("platform"), 4);
    db.migrate();
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    audit = new AuditLog(db.jdbi());
  }

  @AfterAll
  static void tearDown() {
    audit.close();
    placement.close();
    db.close();
  }

  @Test
  void aClaimThatErrorsGoesLiveUnderAnotherToken() throws SQLException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Breakers breakers = new Breakers(meters, Clock.systemUTC());
    LocalProvisioner live =
        new LocalProvisioner(
            List.of(new PostgresBackend(placement, Plans.bundled(), ProvisionStepHook.NONE)),
            new DeprovisionChokepoint(new DropGuard(Set.of()), drops(), breakers, meters),
            breakers);
    ClaimErrors provisioner = new ClaimErrors(live);
    ResourceProvisioning provisioning =
        new ResourceProvisioning(
            new ResourceRepository(db.jdbi()),
            provisioner,
            AesGcm.fromHexKey(AesGcm.generateHexKey()),
            audit,
            Plans.bundled(),
            Clock.systemUTC(),
            Duration.ofHours(24),
            meters,
            ProvisionStepHook.NONE,
            Runnable::run);

    ProvisionedResource made =
        provisioning.provision(
            new ProvisionCommand(
                ResourceType.POSTGRES,
                "after-a-claim-error",
                "development",
                Tier.ANONYMOUS,
                Optional.empty(),
                Optional.of(new Fingerprint("fp-claim-error")),
                RequestId.random()));

    assertThat(provisioner.claimedWith).hasSize(1);
    ResourceToken recorded = made.record().token();
    assertThat(recorded).isNotEqualTo(provisioner.claimedWith.getFirst());
    assertThat(provisioner.provisionedWith).containsExactly(recorded);
    assertThat(made.record().status()).isEqualTo(ResourceStatus.ACTIVE);
    PostgresUrl url = PostgresUrl.parse(made.connectionUrl());
    assertThat(url.database()).isEqualTo("db_" + recorded);
    try (Connection c = TestPostgres.connect(url)) {
      c.createStatement().execute("CREATE TABLE works (id int)");
    }
  }

  /** The real provisioner, except that every pool claim fails after it may have bound an item. */
  private static final class ClaimErrors implements Provisioner {
    private final Provisioner real;
    final List<ResourceToken> claimedWith = new CopyOnWriteArrayList<>();
    final List<ResourceToken> provisionedWith = new CopyOnWriteArrayList<>();

    ClaimErrors(Provisioner real) {
      this.real = real;
    }

    @Override
    public Optional<ProvisionResult> claimPooled(ProvisionRequest request) {
      claimedWith.add(request.token());
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "deadline exceeded after the claim", null);
    }

    @Override
    public ProvisionResult provision(ProvisionRequest request) {
      provisionedWith.add(request.token());
      return real.provision(request);
    }

    @Override
    public void deprovision(DeprovisionRequest request) {
      real.deprovision(request);
    }

    @Override
    public RegradeResult regrade(RegradeRequest request) {
      return real.regrade(request);
    }

    @Override
    public long storageBytes(StorageRequest request) {
      return real.storageBytes(request);
    }

    @Override
    public RotateResult rotateCredentials(RotateRequest request) {
      return real.rotateCredentials(request);
    }

    @Override
    public BindingResult createBinding(BindingRequest request) {
      return real.createBinding(request);
    }

    @Override
    public void dropBinding(BindingRequest request) {
      real.dropBinding(request);
    }

    @Override
    public UsageReport usage(UsageRequest request) {
      return real.usage(request);
    }

    @Override
    public InventoryReport inventory(InventoryRequest request) {
      return real.inventory(request);
    }

    @Override
    public boolean reapOrphan(OrphanReapRequest request) {
      return real.reapOrphan(request);
    }

    @Override
    public LimitsResult enforceLimits(LimitsRequest request) {
      return real.enforceLimits(request);
    }

    @Override
    public RunawayResult stopRunawayWork(RunawayRequest request) {
      return real.stopRunawayWork(request);
    }
  }

  /** The chokepoint's audit rows, in a provisioner database of their own. */
  private static DropAudit drops() {
    ProvisionerDatabase provisionerDb =
        ProvisionerDatabase.connect(TestPostgres.newDatabase("claim_failure_drops"), 2);
    provisionerDb.migrate();
    return new DropAudit(provisionerDb.jdbi());
  }
}
