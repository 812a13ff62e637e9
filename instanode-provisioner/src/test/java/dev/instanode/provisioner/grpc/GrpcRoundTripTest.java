package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.BindingResult;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.InventoryReport;
import dev.instanode.provisioner.InventoryRequest;
import dev.instanode.provisioner.LimitsRequest;
import dev.instanode.provisioner.OrphanReapRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.grpc.proto.EnforceLimitsRequest;
import dev.instanode.provisioner.grpc.proto.GetStorageBytesRequest;
import dev.instanode.provisioner.grpc.proto.GetStorageBytesResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What goes in on one side comes out unchanged on the other, in both directions. */
class GrpcRoundTripTest {
  private final FakeProvisioner provisioner = new FakeProvisioner();
  private final ResourceToken token = ResourceToken.random();
  private GrpcFixture grpc;

  @BeforeEach
  void start() {
    grpc = GrpcFixture.serving(provisioner);
  }

  @AfterEach
  void stop() throws Exception {
    grpc.close();
  }

  @ParameterizedTest
  @EnumSource(Tier.class)
  void provisionCarriesTheRequestAndTheResult(Tier tier) {
    ProvisionRequest request =
        new ProvisionRequest(token, ResourceType.POSTGRES, tier, RequestId.random());
    assertThat(grpc.client.provision(request)).isEqualTo(provisioner.provisionResult);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void aDedicatedProvisionCarriesItsTeam() {
    ProvisionRequest request =
        new ProvisionRequest(
            token,
            ResourceType.REDIS,
            Tier.PRO,
            RequestId.random(),
            Optional.of(new TeamId(UUID.randomUUID())));
    grpc.client.provision(request);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void theDedicatedTypesCrossAndAreAskedOnceAMinuteAndAFailureKeepsTheLastAnswer() {
    provisioner.dedicated = Set.of(ResourceType.POSTGRES, ResourceType.REDIS);
    assertThat(grpc.client.dedicatedTypes())
        .containsExactlyInAnyOrder(ResourceType.POSTGRES, ResourceType.REDIS);
    assertThat(grpc.client.dedicatedTypes()).hasSize(2);
    assertThat(provisioner.calls()).containsExactly("capabilities");
  }

  @Test
  void withNoAnswerYetAFailedAskIsAnErrorNeverNone() {
    provisioner.capabilitiesFail = true;
    assertThatThrownBy(() -> grpc.client.dedicatedTypes()).isInstanceOf(ProvisionerException.class);
  }

  @Test
  void aPoolClaimCarriesTheRequestAndTheItem() {
    ProvisionRequest request =
        new ProvisionRequest(token, ResourceType.POSTGRES, Tier.HOBBY, RequestId.random());
    ProvisionResult item =
        new ProvisionResult(
            "postgres://usr_pool-x:pw@db.internal:5432/db_pool-x",
            ProviderResourceId.parse("local:0;pooltok:pool-x"),
            Optional.empty(),
            5);
    provisioner.pooledResult = Optional.of(item);
    assertThat(grpc.client.claimPooled(request)).contains(item);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void aPoolMissCrossesAsEmpty() {
    provisioner.pooledResult = Optional.empty();
    assertThat(
            grpc.client.claimPooled(
                new ProvisionRequest(
                    token, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random())))
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ResourceType.class)
  void everyResourceTypeCrossesAsItself(ResourceType type) {
    ProvisionRequest request = new ProvisionRequest(token, type, Tier.HOBBY, RequestId.random());
    grpc.client.provision(request);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void aKeyPrefixArrivesWhenPresentAndIsAbsentWhenNot() {
    ProvisionRequest request =
        new ProvisionRequest(token, ResourceType.REDIS, Tier.PRO, RequestId.random());
    provisioner.provisionResult =
        new ProvisionResult(
            "redis://u:p@cache:6379",
            ProviderResourceId.parse("local:0"),
            Optional.of("rk_abc:"),
            64);
    assertThat(grpc.client.provision(request).keyPrefix()).contains("rk_abc:");
    provisioner.provisionResult =
        new ProvisionResult(
            "redis://u:p@cache:6379", ProviderResourceId.parse("local:0"), Optional.empty(), 64);
    assertThat(grpc.client.provision(request).keyPrefix()).isEmpty();
  }

  @Test
  void assignedPoolItemsCrossWithEveryFieldAndReleaseAndReapCarryThem() {
    PoolToken poolToken = PoolToken.random();
    AssignedPoolItem item =
        new AssignedPoolItem(
            UUID.randomUUID(),
            ResourceType.POSTGRES,
            poolToken,
            token,
            ProviderResourceId.of("local:1").pooled(poolToken),
            Instant.parse("2026-11-30T10:15:30.123Z"));
    provisioner.assignedItems = List.of(item);
    Instant cutoff = Instant.parse("2026-12-01T00:00:00Z");

    assertThat(grpc.client.assignedPoolItems(cutoff, 50)).containsExactly(item);
    provisioner.poolItemDone = false;
    assertThat(grpc.client.releasePoolItem(item)).isFalse();
    provisioner.poolItemDone = true;
    RequestId requestId = RequestId.random();
    assertThat(grpc.client.reapPoolItem(item, "pool_orphan_reap", requestId)).isTrue();

    assertThat(provisioner.calls())
        .containsExactly(
            List.of("assigned", cutoff, 50),
            List.of("release", item),
            List.of("reap", item, "pool_orphan_reap", requestId));
  }

  @Test
  void aLimitOutsideItsBoundsIsRefusedBeforeThePoolIsRead() {
    assertThatThrownBy(() -> grpc.client.assignedPoolItems(Instant.now(), 0))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void deprovisionCarriesTheProviderResourceIdAndReason() {
    DeprovisionRequest request =
        new DeprovisionRequest(
            token,
            ResourceType.POSTGRES,
            ProviderResourceId.parse("local:1;pooltok:pool-abc"),
            "expired",
            RequestId.random());
    grpc.client.deprovision(request);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void regradeCarriesAnAppliedAnswer() {
    RegradeRequest request =
        new RegradeRequest(
            token,
            ResourceType.POSTGRES,
            Tier.TEAM,
            ProviderResourceId.parse("local:0"),
            RequestId.random());
    provisioner.regradeResult = RegradeResult.applied(-1);
    assertThat(grpc.client.regrade(request)).isEqualTo(RegradeResult.applied(-1));
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void regradeCarriesASkipWithItsReason() {
    provisioner.regradeResult = RegradeResult.skipped(20, RegradeResult.ALREADY_CORRECT);
    assertThat(
            grpc.client.regrade(
                new RegradeRequest(
                    token,
                    ResourceType.POSTGRES,
                    Tier.PRO,
                    ProviderResourceId.parse("local:0"),
                    RequestId.random())))
        .isEqualTo(RegradeResult.skipped(20, RegradeResult.ALREADY_CORRECT));
  }

  @Test
  void aSkipTravelsAsItsCodeNotItsWording() {
    // Wording that reads "already correct" must not turn an unexpected skip into a success.
    RegradeResult skipped =
        RegradeResult.skipped(
            20, SkipReason.NAMESPACE_NOT_FOUND, "already correct, namespace gone");
    provisioner.regradeResult = skipped;
    assertThat(
            grpc.client.regrade(
                new RegradeRequest(
                    token,
                    ResourceType.POSTGRES,
                    Tier.PRO,
                    ProviderResourceId.parse("local:0"),
                    RequestId.random())))
        .isEqualTo(skipped);
  }

  @Test
  void storageBytesArriveWithTheTimeOfMeasurement() {
    provisioner.storageBytes = 7_654_321L;
    StorageRequest request =
        new StorageRequest(
            token, ResourceType.POSTGRES, ProviderResourceId.parse("local:0"), RequestId.random());
    assertThat(grpc.client.storageBytes(request)).isEqualTo(7_654_321L);
    assertThat(provisioner.calls()).containsExactly(request);

    GetStorageBytesResponse raw =
        grpc.rawStub(grpc.secret)
            .getStorageBytes(
                GetStorageBytesRequest.newBuilder()
                    .setToken(token.toString())
                    .setResourceType(dev.instanode.provisioner.grpc.proto.ResourceType.POSTGRES)
                    .build());
    assertThat(raw.getMeasuredAt()).isEqualTo(GrpcFixture.NOW.getEpochSecond());
  }

  @Test
  void aCallWithoutARequestIdGetsAFreshOne() {
    grpc.rawStub(grpc.secret)
        .getStorageBytes(
            GetStorageBytesRequest.newBuilder()
                .setToken(token.toString())
                .setResourceType(dev.instanode.provisioner.grpc.proto.ResourceType.POSTGRES)
                .build());
    assertThat(provisioner.calls())
        .singleElement()
        .isInstanceOfSatisfying(
            StorageRequest.class, r -> assertThat(r.requestId().value()).isNotBlank());
  }

  @Test
  void rotateCarriesTheRequestAndTheNewUrl() {
    RotateRequest request =
        new RotateRequest(
            token,
            ResourceType.REDIS,
            ProviderResourceId.parse("redis:0;pooltok:pool-x"),
            RequestId.random());
    provisioner.rotateResult = new RotateResult("redis://usr_pool-x:new@cache:6379/0");
    assertThat(grpc.client.rotateCredentials(request)).isEqualTo(provisioner.rotateResult);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void anAnswerWithoutAConnectionUrlIsNeverTakenAsARotation() {
    provisioner.rotateResult = new RotateResult("");
    assertThatThrownBy(() ->
            grpc.client.rotateCredentials(
                new RotateRequest(
                    token,
                    ResourceType.POSTGRES,
                    ProviderResourceId.parse("local:0"),
                    RequestId.random())))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INTERNAL);
              assertThat(e.getMessage()).contains("RotateCredentials answered without");
            });
  }

  @Test
  void bindingsCarryTheRequestAndTheBindingsUrl() {
    BindingRequest request =
        new BindingRequest(
            token,
            ResourceType.POSTGRES,
            ProviderResourceId.parse("local:0;pooltok:pool-x"),
            BindingKey.ofBindingId("osb-binding-1"),
            RequestId.random());
    assertThat(grpc.client.createBinding(request)).isEqualTo(provisioner.bindingResult);
    grpc.client.dropBinding(request);
    assertThat(provisioner.calls()).containsExactly(request, request);
  }

  @Test
  void anAnswerWithoutAConnectionUrlIsNeverTakenAsABinding() {
    provisioner.bindingResult = new BindingResult("");
    assertThatThrownBy(() ->
            grpc.client.createBinding(
                new BindingRequest(
                    token,
                    ResourceType.REDIS,
                    ProviderResourceId.parse("redis:0"),
                    BindingKey.ofBindingId("b"),
                    RequestId.random())))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INTERNAL);
              assertThat(e.getMessage()).contains("CreateBinding answered without");
            });
  }

  @Test
  void aBindingFailureArrivesAsItsKind() {
    provisioner.failWith(ProvisionerException.Kind.INVALID_ARGUMENT, "role does not exist");
    assertThatThrownBy(() ->
            grpc.client.dropBinding(
                new BindingRequest(
                    token,
                    ResourceType.POSTGRES,
                    ProviderResourceId.parse("local:0"),
                    BindingKey.ofBindingId("b"),
                    RequestId.random())))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
  }

  @Test
  void anAnswerWithoutAConnectionUrlIsNeverTakenAsAProvision() {
    provisioner.provisionResult =
        new ProvisionResult("", ProviderResourceId.parse("local:0"), Optional.empty(), 2);
    assertThatThrownBy(() ->
            grpc.client.provision(
                new ProvisionRequest(
                    token, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random())))
        .isInstanceOf(ProvisionerException.class)
        .hasMessageContaining("without a connection URL");
  }

  @Test
  void usageCarriesEveryTenantAndWhetherThePassWasComplete() {
    UsageRequest request = new UsageRequest(ResourceType.REDIS, RequestId.random());
    assertThat(grpc.client.usage(request)).isEqualTo(provisioner.usageReport);
    assertThat(provisioner.calls()).containsExactly(request);
    provisioner.usageReport = new UsageReport(List.of(), true, false);
    assertThat(grpc.client.usage(request).complete()).isTrue();
    assertThat(grpc.client.usage(request).underPressure()).isFalse();
  }

  @Test
  void anInventoryOfAHundredThousandTenantsCrossesWhole() {
    // Past gRPC's default 4 MiB a message: the sweep would stop working as the platform grew.
    List<InventoryItem> items = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      items.add(
          new InventoryItem(
              ResourceToken.random(),
              2,
              Optional.of(Instant.parse("2026-12-01T10:00:00Z")),
              false));
    }
    provisioner.inventoryReport = new InventoryReport(items);
    InventoryRequest request = new InventoryRequest(ResourceType.POSTGRES, RequestId.random());

    assertThat(grpc.client.inventory(request).items()).hasSize(100_000);
  }

  @Test
  void theInventoryCarriesEveryItemAndAnUnknownAgeStaysUnknown() {
    InventoryReport report =
        new InventoryReport(
            List.of(
                new InventoryItem(
                    token, 2, Optional.of(Instant.parse("2026-12-01T10:00:00Z")), false),
                new InventoryItem(PoolToken.random(), 1, Optional.empty(), true)));
    provisioner.inventoryReport = report;
    InventoryRequest request = new InventoryRequest(ResourceType.POSTGRES, RequestId.random());

    assertThat(grpc.client.inventory(request)).isEqualTo(report);
    assertThat(provisioner.calls()).containsExactly(request);
  }

  @Test
  void anOrphanReapCarriesItsKeyAndWhetherItWasDone() {
    OrphanReapRequest request =
        new OrphanReapRequest(
            PoolToken.random(), ResourceType.REDIS, "inventory_no_row", RequestId.random());
    assertThat(grpc.client.reapOrphan(request)).isTrue();
    provisioner.reapOrphanDone = false;
    assertThat(grpc.client.reapOrphan(request)).as("a pool item tracks it").isFalse();
    assertThat(provisioner.calls()).containsExactly(request, request);
  }

  @Test
  void enforceLimitsCarriesTheRequestAndWhatItChanged() {
    // Shedding down to nothing and not shedding at all must not be confused on the wire.
    List<LimitsRequest> requests = new ArrayList<>();
    for (OptionalLong shedDownTo :
        List.of(OptionalLong.of(5_000_000), OptionalLong.of(0), OptionalLong.empty())) {
      LimitsRequest request =
          new LimitsRequest(
              token,
              ResourceType.REDIS,
              ProviderResourceId.parse("redis:0;pooltok:pool-x"),
              true,
              10,
              shedDownTo,
              RequestId.random());
      requests.add(request);
      assertThat(grpc.client.enforceLimits(request)).isEqualTo(provisioner.limitsResult);
    }
    assertThat(provisioner.calls()).containsExactlyElementsOf(requests);
  }

  @Test
  void aConnectionCapBelowMinusOneIsRefusedAtTheBoundary() {
    assertThatThrownBy(() ->
            grpc.rawStub(grpc.secret)
                .enforceLimits(
                    EnforceLimitsRequest.newBuilder()
                        .setToken(token.toString())
                        .setResourceType(dev.instanode.provisioner.grpc.proto.ResourceType.REDIS)
                        .setConnectionCap(-5)
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT");
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void stopRunawayWorkCarriesWhatItEnded() {
    RunawayRequest request =
        new RunawayRequest(
            ResourceType.POSTGRES,
            Map.of(
                new PoolToken("pool-x"),
                new RunawayBounds(Duration.ofSeconds(30), Duration.ofMinutes(1))),
            new RunawayBounds(Duration.ofSeconds(5), Duration.ZERO),
            RequestId.random());
    assertThat(grpc.client.stopRunawayWork(request)).isEqualTo(provisioner.runawayResult);
    assertThat(provisioner.calls()).containsExactly(request);
  }
}
