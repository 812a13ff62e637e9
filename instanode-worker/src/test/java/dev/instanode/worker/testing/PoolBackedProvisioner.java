package dev.instanode.worker.testing;

import dev.instanode.core.RequestId;
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
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.RunawayRequest;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.UsageRequest;
import dev.instanode.provisioner.pool.PoolRepository;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * A provisioner whose pool calls run the real {@link PoolRepository} over a test's pool database
 * and whose drops go to {@code drops}: the worker's pool orphan pass sees what it sees in
 * production, rows, locks and all, while the test decides how a drop behaves.
 */
public final class PoolBackedProvisioner implements Provisioner {
  private final PoolRepository items;
  private final Provisioner drops;

  public PoolBackedProvisioner(Jdbi pool, Provisioner drops) {
    this.items = new PoolRepository(pool);
    this.drops = drops;
  }

  @Override
  public List<AssignedPoolItem> assignedPoolItems(Instant cutoff, int limit) {
    return items.assignedOlderThan(cutoff, limit);
  }

  @Override
  public boolean releasePoolItem(AssignedPoolItem item) {
    return items.releaseAssigned(item.id(), item.boundToken());
  }

  @Override
  public boolean reapPoolItem(AssignedPoolItem item, String reason, RequestId requestId) {
    return items.reapAssigned(
        item.id(),
        item.boundToken(),
        () ->
            drops.deprovision(
                new DeprovisionRequest(
                    item.boundToken(), item.type(), item.providerResourceId(), reason, requestId)));
  }

  @Override
  public ProvisionResult provision(ProvisionRequest request) {
    return drops.provision(request);
  }

  @Override
  public void deprovision(DeprovisionRequest request) {
    drops.deprovision(request);
  }

  @Override
  public RegradeResult regrade(RegradeRequest request) {
    return drops.regrade(request);
  }

  @Override
  public long storageBytes(StorageRequest request) {
    return drops.storageBytes(request);
  }

  @Override
  public RotateResult rotateCredentials(RotateRequest request) {
    return drops.rotateCredentials(request);
  }

  @Override
  public BindingResult createBinding(BindingRequest request) {
    return drops.createBinding(request);
  }

  @Override
  public void dropBinding(BindingRequest request) {
    drops.dropBinding(request);
  }

  @Override
  public UsageReport usage(UsageRequest request) {
    return drops.usage(request);
  }

  @Override
  public InventoryReport inventory(InventoryRequest request) {
    return drops.inventory(request);
  }

  @Override
  public boolean reapOrphan(OrphanReapRequest request) {
    return drops.reapOrphan(request);
  }

  @Override
  public LimitsResult enforceLimits(LimitsRequest request) {
    return drops.enforceLimits(request);
  }

  @Override
  public RunawayResult stopRunawayWork(RunawayRequest request) {
    return drops.stopRunawayWork(request);
  }
}
