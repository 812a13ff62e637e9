package dev.instanode.worker.testing;

import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceType;
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
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Provisioner seam, by hand: records every request, answers like a healthy backend (a regrade
 * applies the plan's limit), and fails any operation on demand.
 */
public final class FakeProvisioner implements Provisioner {
  public enum Op {
    PROVISION,
    DEPROVISION,
    REGRADE,
    STORAGE,
    ROTATE,
    USAGE,
    INVENTORY,
    REAP_ORPHAN,
    LIMITS,
    RUNAWAY,
    BIND,
    UNBIND
  }

  private static final Plans PLANS = Plans.bundled();

  private final List<Object> calls = new CopyOnWriteArrayList<>();
  private final Map<Op, RuntimeException> failures = new ConcurrentHashMap<>();
  private volatile Function<RegradeRequest, RegradeResult> regradeAnswer =
      r -> RegradeResult.applied(PLANS.connectionsLimit(r.tier(), r.type()));
  private volatile long storageBytes = 8_000_000L;
  private volatile Predicate<Object> failWhen = r -> false;
  private volatile Consumer<Object> onCall = r -> {};
  private final Map<ResourceType, UsageReport> usage = new ConcurrentHashMap<>();
  private final Map<ResourceType, InventoryReport> inventory = new ConcurrentHashMap<>();
  private volatile int connectionsClosed;
  private volatile long bytesFreed;

  /** Every later call of {@code op} throws {@code failure}. */
  public FakeProvisioner fail(Op op, RuntimeException failure) {
    failures.put(op, failure);
    return this;
  }

  public FakeProvisioner fail(Op op) {
    return fail(
        op,
        new ProvisionerException(
            ProvisionerException.Kind.UNAVAILABLE, op.name().toLowerCase() + " unavailable", null));
  }

  /** Every later call whose request matches throws an UNAVAILABLE failure. */
  public FakeProvisioner failWhen(Predicate<Object> request) {
    failWhen = request;
    return this;
  }

  /** Runs before each call is answered, e.g. to look at the database mid-call. */
  public FakeProvisioner onCall(Consumer<Object> hook) {
    onCall = hook;
    return this;
  }

  public FakeProvisioner heal(Op op) {
    failures.remove(op);
    return this;
  }

  public FakeProvisioner answerRegrade(Function<RegradeRequest, RegradeResult> answer) {
    regradeAnswer = answer;
    return this;
  }

  public FakeProvisioner answerStorageBytes(long bytes) {
    storageBytes = bytes;
    return this;
  }

  /** What a usage pass of {@code type} answers; a type with none answers an empty, complete one. */
  public FakeProvisioner answerUsage(ResourceType type, UsageReport report) {
    usage.put(type, report);
    return this;
  }

  /** How many connections each limits call says it closed. */
  public FakeProvisioner answerConnectionsClosed(int closed) {
    connectionsClosed = closed;
    return this;
  }

  /** How many bytes each limits call that asks to shed says it freed. */
  public FakeProvisioner answerBytesFreed(long freed) {
    bytesFreed = freed;
    return this;
  }

  public List<LimitsRequest> limits() {
    return ofType(LimitsRequest.class);
  }

  public List<Object> calls() {
    return List.copyOf(calls);
  }

  public List<DeprovisionRequest> deprovisions() {
    return ofType(DeprovisionRequest.class);
  }

  public List<RegradeRequest> regrades() {
    return ofType(RegradeRequest.class);
  }

  public List<StorageRequest> storageRequests() {
    return ofType(StorageRequest.class);
  }

  public void reset() {
    calls.clear();
    failures.clear();
    failWhen = r -> false;
    onCall = r -> {};
    regradeAnswer = r -> RegradeResult.applied(PLANS.connectionsLimit(r.tier(), r.type()));
    storageBytes = 8_000_000L;
    usage.clear();
    inventory.clear();
    connectionsClosed = 0;
    bytesFreed = 0;
  }

  private <T> List<T> ofType(Class<T> type) {
    return calls.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public ProvisionResult provision(ProvisionRequest request) {
    record(Op.PROVISION, request);
    return new ProvisionResult(
        "postgres://usr_x:pw@localhost:5432/db_x",
        ProviderResourceId.of("local:0"),
        Optional.empty(),
        PLANS.connectionsLimit(request.tier(), ResourceType.POSTGRES));
  }

  @Override
  public void deprovision(DeprovisionRequest request) {
    record(Op.DEPROVISION, request);
  }

  @Override
  public RegradeResult regrade(RegradeRequest request) {
    record(Op.REGRADE, request);
    return regradeAnswer.apply(request);
  }

  @Override
  public long storageBytes(StorageRequest request) {
    record(Op.STORAGE, request);
    return storageBytes;
  }

  @Override
  public RotateResult rotateCredentials(RotateRequest request) {
    record(Op.ROTATE, request);
    return new RotateResult("postgres://usr_x:rotated@127.0.0.1:5432/db_x?sslmode=disable");
  }

  @Override
  public BindingResult createBinding(BindingRequest request) {
    record(Op.BIND, request);
    return new BindingResult(
        "postgres://bnd_x_" + request.bindingKey() + ":bound@127.0.0.1:5432/db_x?sslmode=disable");
  }

  @Override
  public void dropBinding(BindingRequest request) {
    record(Op.UNBIND, request);
  }

  @Override
  public UsageReport usage(UsageRequest request) {
    record(Op.USAGE, request);
    return usage.getOrDefault(request.type(), new UsageReport(List.of(), true, false));
  }

  /** What an inventory of {@code type} answers; a type with none answers an empty one. */
  public FakeProvisioner answerInventory(ResourceType type, InventoryReport report) {
    inventory.put(type, report);
    return this;
  }

  @Override
  public InventoryReport inventory(InventoryRequest request) {
    record(Op.INVENTORY, request);
    return inventory.getOrDefault(request.type(), new InventoryReport(List.of()));
  }

  /** Answers as a provisioner that dropped the orphan (a pool item did not track it). */
  @Override
  public boolean reapOrphan(OrphanReapRequest request) {
    record(Op.REAP_ORPHAN, request);
    return true;
  }

  public List<OrphanReapRequest> orphanReaps() {
    return ofType(OrphanReapRequest.class);
  }

  /** Answers as a backend that changed the writes' state and closed what was over the cap. */
  @Override
  public LimitsResult enforceLimits(LimitsRequest request) {
    record(Op.LIMITS, request);
    return new LimitsResult(
        true, connectionsClosed, request.shedDownTo().isPresent() ? bytesFreed : 0);
  }

  @Override
  public RunawayResult stopRunawayWork(RunawayRequest request) {
    record(Op.RUNAWAY, request);
    return RunawayResult.NONE;
  }

  private void record(Op op, Object request) {
    calls.add(request);
    onCall.accept(request);
    RuntimeException failure = failures.get(op);
    if (failure != null) {
      throw failure;
    }
    if (failWhen.test(request)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "backend unreachable for this resource", null);
    }
  }
}
