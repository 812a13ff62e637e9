package dev.instanode.provisioner.grpc;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.AssignedPoolItem;
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
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/** Records every request it receives; answers with canned results, or fails as told. */
final class FakeProvisioner implements Provisioner {
  private final List<Object> calls = new CopyOnWriteArrayList<>();
  private volatile RuntimeException failure;
  private volatile CountDownLatch gate;

  volatile ProvisionResult provisionResult =
      new ProvisionResult(
          "postgres://usr_fake:pw@db.internal:5432/db_fake",
          ProviderResourceId.parse("local:0"),
          Optional.empty(),
          2);

  /** What a pool claim answers; empty is a miss. */
  volatile Optional<ProvisionResult> pooledResult = Optional.empty();

  volatile RegradeResult regradeResult = RegradeResult.applied(20);
  volatile long storageBytes = 1234L;
  volatile RotateResult rotateResult =
      new RotateResult("postgres://usr_fake:rotated@db.internal:5432/db_fake");
  volatile BindingResult bindingResult =
      new BindingResult("postgres://bnd_fake_00112233445566ff:bound@db.internal:5432/db_fake");
  volatile UsageReport usageReport =
      new UsageReport(
          List.of(new TenantUsage(new PoolToken("pool-fake"), 4096, false, -1, 1, true)),
          false,
          true);
  volatile LimitsResult limitsResult = new LimitsResult(true, 3, 123_456);
  volatile RunawayResult runawayResult = new RunawayResult(2, 1);
  volatile List<AssignedPoolItem> assignedItems = List.of();
  volatile boolean poolItemDone = true;

  /** Every later call throws this kind. */
  void failWith(ProvisionerException.Kind kind, String message) {
    failWith(new ProvisionerException(kind, message, null));
  }

  void failWith(RuntimeException e) {
    failure = e;
  }

  /** Every later call blocks until the gate opens (or the thread is interrupted). */
  void holdCallsUntil(CountDownLatch gate) {
    this.gate = gate;
  }

  volatile Set<ResourceType> dedicated = Set.of();
  volatile boolean capabilitiesFail;

  @Override
  public Set<ResourceType> dedicatedTypes() {
    if (capabilitiesFail) {
      throw new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, "down", null);
    }
    calls.add("capabilities");
    return dedicated;
  }

  List<Object> calls() {
    return List.copyOf(calls);
  }

  @Override
  public List<AssignedPoolItem> assignedPoolItems(Instant cutoff, int limit) {
    return answer(List.of("assigned", cutoff, limit), () -> assignedItems);
  }

  @Override
  public boolean releasePoolItem(AssignedPoolItem item) {
    return answer(List.of("release", item), () -> poolItemDone);
  }

  @Override
  public boolean reapPoolItem(AssignedPoolItem item, String reason, RequestId requestId) {
    return answer(List.of("reap", item, reason, requestId), () -> poolItemDone);
  }

  @Override
  public Optional<ProvisionResult> claimPooled(ProvisionRequest request) {
    return answer(request, () -> pooledResult);
  }

  @Override
  public ProvisionResult provision(ProvisionRequest request) {
    return answer(request, () -> provisionResult);
  }

  @Override
  public void deprovision(DeprovisionRequest request) {
    answer(request, () -> null);
  }

  @Override
  public RegradeResult regrade(RegradeRequest request) {
    return answer(request, () -> regradeResult);
  }

  @Override
  public long storageBytes(StorageRequest request) {
    return answer(request, () -> storageBytes);
  }

  @Override
  public RotateResult rotateCredentials(RotateRequest request) {
    return answer(request, () -> rotateResult);
  }

  @Override
  public BindingResult createBinding(BindingRequest request) {
    return answer(request, () -> bindingResult);
  }

  @Override
  public void dropBinding(BindingRequest request) {
    answer(request, () -> null);
  }

  @Override
  public UsageReport usage(UsageRequest request) {
    return answer(request, () -> usageReport);
  }

  volatile InventoryReport inventoryReport = new InventoryReport(List.of());

  @Override
  public InventoryReport inventory(InventoryRequest request) {
    return answer(request, () -> inventoryReport);
  }

  volatile boolean reapOrphanDone = true;

  @Override
  public boolean reapOrphan(OrphanReapRequest request) {
    return answer(request, () -> reapOrphanDone);
  }

  @Override
  public LimitsResult enforceLimits(LimitsRequest request) {
    return answer(request, () -> limitsResult);
  }

  @Override
  public RunawayResult stopRunawayWork(RunawayRequest request) {
    return answer(request, () -> runawayResult);
  }

  private <T> T answer(Object request, Supplier<T> result) {
    calls.add(request);
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while held", e);
      }
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
    return result.get();
  }
}
