package dev.instanode.provisioner.engine;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.UsageReport;
import java.util.List;
import java.util.Map;

/**
 * A Postgres backend for teardown tests: it names and drops, and every other call fails loudly, so
 * a test that reaches past teardown notices.
 */
public abstract class DropOnlyBackend implements ResourceBackend {

  @Override
  public ResourceType type() {
    return ResourceType.POSTGRES;
  }

  @Override
  public String backendLabel() {
    return "shared";
  }

  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    throw new UnsupportedOperationException();
  }

  @Override
  public UsageReport usage() {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<InventoryItem> inventory() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean setWritesBlocked(InfraKey key, ProviderResourceId providerResourceId, boolean b) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    throw new UnsupportedOperationException();
  }

  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public abstract List<InfraName> objectNames(InfraKey key);

  @Override
  public abstract void drop(InfraKey key, ProviderResourceId providerResourceId);
}
